import type { Env, Settings } from '@cnpg-mcp/auth-sidecar/config';
import type { ToolSelection } from '@cnpg-mcp/catalog/selection';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  ErrorCode,
  type JSONRPCRequest,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import type { Bridge } from './bridge.js';
import { confirmBeforeForwarding } from './confirm.js';
import { catalogLists, listCachePath, readListCache, type ServedLists } from './list-cache.js';
import { relayedAsIs } from './relay-validator.js';
import { RpcError } from './rpc-error.js';
import { notOfferedBecause, selectedTools } from './tool-selection.js';

export interface ServeOptions {
  /** The remote URL as given (flag, env or config file), which names the cached lists; none: the catalogue. */
  remoteUrl: string | undefined;
  /** Resolves the settings on the first call that goes to the remote (may discover them from the remote). */
  settings: () => Promise<Settings>;
  cacheDir: string;
  /** The toolsets and read-only mode offered to the client (and asked of the remote). */
  selection: ToolSelection;
  env: Env;
  log: Logger;
  loginMode: 'auto' | 'browser' | 'device';
  loginWaitMs: number;
  callTimeoutMs: number;
  loginCommand: string;
  stdin?: NodeJS.ReadableStream & { on(event: 'end' | 'close', listener: () => void): unknown };
  stdout?: NodeJS.WritableStream;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * The served lists: the cached copy of the remote's last lists, else the built-in catalogue; only
 * the tools the selection shows either way.
 */
async function initialLists(cachePath: string | undefined, selection: ToolSelection): Promise<ServedLists> {
  const lists = (cachePath ? await readListCache(cachePath) : undefined) ?? catalogLists();
  return { ...lists, tools: selectedTools(lists.tools, selection) };
}

/** Unusable settings never stop the handshake; every call says what is missing and how to set it. */
function notConfigured(request: JSONRPCRequest, error: unknown): ServerResult {
  const text = `cnpg-mcp is not configured, so nothing was run.\n${(error as Error)?.message ?? String(error)}`;
  if (request.method !== 'tools/call') throw new RpcError(ErrorCode.InternalError, text);
  return { content: [{ type: 'text', text }], isError: true } satisfies CallToolResult;
}

/**
 * Serves MCP over stdio until stdin closes. initialize and the lists are answered at once from the
 * cache or the catalogue (no network, no login, none of the forwarding code loaded); everything
 * else goes to the remote through the Bridge, loaded with its settings on the first such call.
 */
export async function serveStdio(options: ServeOptions): Promise<void> {
  const { log } = options;
  const { selection } = options;
  const lists = await initialLists(
    options.remoteUrl ? listCachePath(options.cacheDir, options.remoteUrl, selection) : undefined,
    selection,
  );
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
      jsonSchemaValidator: relayedAsIs,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: lists.tools }));
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: lists.prompts }));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: lists.resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: lists.resourceTemplates,
  }));

  let bridge: Promise<Bridge> | undefined;
  const startBridge = (): Promise<Bridge> => {
    bridge ??= import('./forwarding.js')
      .then(({ startForwarding }) =>
        startForwarding({
          server,
          settings: options.settings,
          env: options.env,
          served: lists,
          cachePath: (settings) => listCachePath(options.cacheDir, settings.remoteUrl, selection),
          log,
          loginMode: options.loginMode,
          loginWaitMs: options.loginWaitMs,
          callTimeoutMs: options.callTimeoutMs,
          loginCommand: options.loginCommand,
        }),
      )
      .catch((error: unknown) => {
        // Not kept: the next call tries again (a remote that could not be asked for its settings may answer then).
        bridge = undefined;
        log.warn((error as Error)?.message ?? String(error));
        throw error;
      });
    return bridge;
  };
  server.fallbackRequestHandler = async (received: JSONRPCRequest, extra: Extra) => {
    const forward = async (request: JSONRPCRequest): Promise<ServerResult> => {
      let active: Bridge;
      try {
        active = await startBridge();
      } catch (error) {
        return notConfigured(request, error);
      }
      return active.forward(request, extra);
    };
    let request = received;
    if (request.method === 'tools/call') {
      const name = String((request.params as { name?: unknown } | undefined)?.name);
      const notOffered = lists.tools.some((tool) => tool.name === name)
        ? undefined
        : notOfferedBecause(name, catalogLists().tools, selection);
      if (notOffered !== undefined) {
        return {
          content: [{ type: 'text', text: `${name} is not offered here: ${notOffered}. Nothing was run.` }],
          isError: true,
        } satisfies CallToolResult;
      }
      // The person confirms before the call is forwarded (when the client can ask them); a dry
      // run may go first to learn whether this call is one they confirm.
      const confirmed = await confirmBeforeForwarding(server, request, lists.tools, extra.signal, forward);
      if ('refused' in confirmed) return confirmed.refused;
      request = confirmed.forward;
    }
    return forward(request);
  };
  server.fallbackNotificationHandler = async (notification) => {
    await (await bridge?.catch(() => undefined))?.forwardNotification(notification);
  };

  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const transport = new StdioServerTransport(stdin as NodeJS.ReadStream, stdout as NodeJS.WriteStream);
  await server.connect(transport);
  log.info(`cnpg-mcp ${VERSION} serving MCP on stdio (${lists.tools.length} tools)`);

  await new Promise<void>((resolve) => {
    stdin.on('end', resolve);
    stdin.on('close', resolve);
    transport.onclose = () => resolve();
    // The client went away without closing our stdin (EPIPE): nobody is listening any more.
    stdout.on('error', () => resolve());
  });
  log.info('stdin closed; exiting');
  const active = await bridge?.catch(() => undefined);
  await active?.settled().catch(() => {});
  await active?.close().catch(() => {});
  await server.close().catch(() => {});
}
