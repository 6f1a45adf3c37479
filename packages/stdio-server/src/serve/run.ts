import { defaultCacheDir, type Env, type Settings } from '@cnpg-mcp/auth-sidecar';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import { Bridge } from './bridge.js';
import { catalogLists, listCachePath, readListCache, type ServedLists } from './list-cache.js';
import { SidecarLink } from './sidecar-link.js';

export interface ServeOptions {
  /** Resolved settings, or why they could not be resolved (reported on the first call). */
  settings: Settings | { error: string };
  env: Env;
  log: Logger;
  loginMode: 'auto' | 'browser' | 'device';
  loginWaitMs: number;
  loginCommand: string;
  stdin?: NodeJS.ReadableStream & { on(event: 'end' | 'close', listener: () => void): unknown };
  stdout?: NodeJS.WritableStream;
}

function isSettings(value: ServeOptions['settings']): value is Settings {
  return !('error' in value);
}

/** The served lists: the cached copy of the remote's last lists, else the built-in catalogue. */
async function initialLists(cachePath: string | undefined): Promise<ServedLists> {
  return (cachePath ? await readListCache(cachePath) : undefined) ?? catalogLists();
}

/**
 * Serves MCP over stdio until stdin closes. initialize and the lists are answered at once from the
 * cache or the catalogue (no network, no login); everything else goes through the Bridge.
 */
export async function serveStdio(options: ServeOptions): Promise<void> {
  const { log, settings } = options;
  const cachePath = isSettings(settings)
    ? listCachePath(defaultCacheDir(options.env), settings.remoteUrl)
    : undefined;
  const lists = await initialLists(cachePath);
  const server = new Server(
    { name: 'cnpg-mcp', title: 'CloudNativePG (cnpg-mcp)', version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true },
        logging: {},
      },
      instructions: lists.instructions ?? catalogLists().instructions,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: lists.tools }));
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: lists.prompts }));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: lists.resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: lists.resourceTemplates,
  }));

  let sidecar: SidecarLink | undefined;
  let bridge: Bridge | undefined;
  if (isSettings(settings) && cachePath) {
    const link = new SidecarLink(settings, options.env, log);
    const active = new Bridge({
      server,
      settings,
      sidecar: link,
      served: lists,
      cachePath,
      log,
      loginMode: options.loginMode,
      loginWaitMs: options.loginWaitMs,
      loginCommand: options.loginCommand,
    });
    server.fallbackRequestHandler = (request, extra) => active.forward(request, extra);
    server.fallbackNotificationHandler = (notification) => active.forwardNotification(notification);
    server.oninitialized = () => {
      active.syncIfLoggedIn().catch((error: unknown) => log(`start-up check: ${(error as Error).message}`));
    };
    sidecar = link;
    bridge = active;
    if (options.env?.CNPG_MCP_REFRESH_TOKEN && !settings.refreshTokenFile) {
      log(
        'warning: CNPG_MCP_REFRESH_TOKEN is set without CNPG_MCP_REFRESH_TOKEN_FILE. The provider rotates ' +
          "refresh tokens and the rotated one is kept only in the sidecar's memory: if the sidecar stops, the " +
          'old token is presented again and the provider revokes the login. Put the token in a 0600 file and ' +
          'set CNPG_MCP_REFRESH_TOKEN_FILE instead.',
      );
    }
  } else {
    // Unusable settings never stop the handshake; every call explains what to set.
    const problem = (settings as { error: string }).error;
    log(problem);
    const refuse = (): CallToolResult => ({
      content: [{ type: 'text', text: `cnpg-mcp is not configured, so nothing was run.\n${problem}` }],
      isError: true,
    });
    server.setRequestHandler(CallToolRequestSchema, refuse);
  }

  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const transport = new StdioServerTransport(stdin as NodeJS.ReadStream, stdout as NodeJS.WriteStream);
  await server.connect(transport);
  log(`cnpg-mcp ${VERSION} serving MCP on stdio (${lists.tools.length} tools)`);

  await new Promise<void>((resolve) => {
    stdin.on('end', resolve);
    stdin.on('close', resolve);
    transport.onclose = () => resolve();
    // The client went away without closing our stdin (EPIPE): nobody is listening any more.
    stdout.on('error', () => resolve());
  });
  log('stdin closed; exiting');
  bridge?.close();
  await bridge?.settled().catch(() => {});
  await server.close().catch(() => {});
  await sidecar?.close();
}
