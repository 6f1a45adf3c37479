import {
  describeLogin,
  followLogin,
  isSidecarError,
  LOGIN_MODE_HEADER,
  type LoginAnswer,
  MCP_PATH,
  SIDECAR_BASE_URL,
} from '@cnpg-mcp/auth-sidecar/client';
import type { Settings } from '@cnpg-mcp/auth-sidecar/config';
import type { ToolSelection } from '@cnpg-mcp/catalog/selection';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra, RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  type ClientNotification,
  type ClientRequest,
  ErrorCode,
  type JSONRPCRequest,
  ListPromptsResultSchema,
  ListResourceTemplatesResultSchema,
  ListToolsResultSchema,
  type LoggingLevel,
  McpError,
  type Notification,
  type Request,
  type Result,
  ResultSchema,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import { CONNECTION_LOST, trackCalls } from './call-tracking.js';
import { capabilitiesForRemote } from './confirm.js';
import { describeFailure, isAnswerTimeout } from './failures.js';
import { type ListKind, type ServedLists, sameList, writeListCache } from './list-cache.js';
import { relayedAsIs } from './relay-validator.js';
import { asReceived, RpcError, receivedRpcError } from './rpc-error.js';
import { RemoteHttpError, SidecarUnreachableError, sidecarFetch } from './sidecar-fetch.js';
import type { SidecarLink } from './sidecar-link.js';
import { selectedTools, selectionHeaders, selectionOf } from './tool-selection.js';

export interface BridgeOptions {
  server: Server;
  settings: Settings;
  sidecar: SidecarLink;
  served: ServedLists;
  cachePath: string;
  log: Logger;
  loginMode: 'auto' | 'browser' | 'device';
  /** How long a call that needs a login waits for the person. */
  loginWaitMs: number;
  /** How long a call waits for the remote's answer (or, for calls that report progress, its next progress). */
  callTimeoutMs: number;
  /** The exact command a person runs in a terminal to log in with these settings. */
  loginCommand: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const LISTS = {
  tools: { method: 'tools/list', schema: ListToolsResultSchema, changed: 'notifications/tools/list_changed' },
  prompts: {
    method: 'prompts/list',
    schema: ListPromptsResultSchema,
    changed: 'notifications/prompts/list_changed',
  },
  resourceTemplates: {
    method: 'resources/templates/list',
    schema: ListResourceTemplatesResultSchema,
    changed: 'notifications/resources/list_changed',
  },
} as const;

const REMOTE_LIST_CHANGED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

/** A login a call needed did not finish while the call waited. */
class LoginNotFinishedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginNotFinishedError';
  }
}

function describeCall(request: JSONRPCRequest): string {
  const name = (request.params as { name?: unknown } | undefined)?.name;
  return request.method === 'tools/call' && typeof name === 'string' ? `the tool ${name}` : request.method;
}

/** The longest wait a tool accepts (wait_timeout_seconds), for a call that does not say. */
const LONGEST_WAIT_SECONDS = 3600;

/**
 * How long a call that waits (a tool called with `wait: true`) may wait on the remote, in seconds;
 * undefined for other calls. Such a call reports progress when something changes, which may be
 * minutes apart, and the remote ends the wait itself after wait_timeout_seconds.
 */
function waitSeconds(request: JSONRPCRequest): number | undefined {
  const args = (
    request.params as { arguments?: { wait?: unknown; wait_timeout_seconds?: unknown } } | undefined
  )?.arguments;
  if (request.method !== 'tools/call' || args?.wait !== true) return undefined;
  return typeof args.wait_timeout_seconds === 'number' ? args.wait_timeout_seconds : LONGEST_WAIT_SECONDS;
}

/**
 * Carries every MCP message the stdio client sends beyond the locally answered lists to the remote,
 * through the SDK's Client over the sidecar's socket, and the remote's notifications and requests
 * back; when a call needs a login, tells the person what the sidecar asks of them and waits for it.
 */
export class Bridge {
  /** The toolsets and read-only mode offered: asked of the remote (headers), and kept in what is served. */
  private readonly selection: ToolSelection;
  private remote: Promise<Client> | undefined;
  /** The transport of each remote session (whose session id, if the remote gave one, it holds). */
  private readonly transports = new WeakMap<Client, StreamableHTTPClientTransport>();
  private syncing: Promise<void> | undefined;

  constructor(private readonly options: BridgeOptions) {
    this.selection = selectionOf(options.settings);
  }

  /** Sends a logging message to the client (subject to its logging/setLevel) and to stderr. */
  private async tell(level: LoggingLevel, text: string): Promise<void> {
    this.options.log.warn(text);
    await this.options.server.sendLoggingMessage({ level, logger: 'cnpg-mcp', data: text }).catch(() => {});
  }

  /** The remote session, initialized once and shared by concurrent calls (never tied to one call's signal). */
  private connect(): Promise<Client> {
    this.remote ??= this.openRemote().catch((error: unknown) => {
      this.remote = undefined;
      throw error;
    });
    return this.remote;
  }

  private async openRemote(): Promise<Client> {
    const { server, sidecar, log } = this.options;
    const peer = server.getClientVersion();
    const client = new Client(
      { name: peer ? `${peer.name} via cnpg-mcp` : 'cnpg-mcp', version: peer?.version ?? VERSION },
      {
        capabilities: capabilitiesForRemote(server.getClientCapabilities()),
        jsonSchemaValidator: relayedAsIs,
      },
    );
    client.fallbackNotificationHandler = (notification) => this.relay(notification);
    client.fallbackRequestHandler = (request) => this.askClient(request);
    client.onerror = (error) => log.debug(`remote link: ${error.message}`);
    const fetch = trackCalls(sidecarFetch(async (input, init) => (await sidecar.get()).fetch(input, init)));
    const transport = new StreamableHTTPClientTransport(new URL(MCP_PATH, SIDECAR_BASE_URL), {
      fetch,
      requestInit: {
        headers: { [LOGIN_MODE_HEADER]: this.options.loginMode, ...selectionHeaders(this.selection) },
      },
    });
    await client.connect(transport, { timeout: this.options.callTimeoutMs });
    this.transports.set(client, transport);
    this.scheduleSync(client);
    return client;
  }

  private scheduleSync(client: Client): void {
    if (this.syncing) return;
    this.syncing = this.syncLists(client)
      .catch((error: unknown) =>
        this.options.log.warn(`could not read the remote's lists: ${(error as Error).message}`),
      )
      .finally(() => {
        this.syncing = undefined;
      });
  }

  /** Waits for a list refresh that is under way (tests and shutdown use it). */
  async settled(): Promise<void> {
    await this.syncing;
  }

  /** Stops the remote session (and its standalone event stream, if the remote offered one). */
  async close(): Promise<void> {
    const remote = this.remote;
    this.remote = undefined;
    await (await remote?.catch(() => undefined))?.close();
    await this.options.sidecar.close();
  }

  private async readList(client: Client, kind: keyof typeof LISTS): Promise<object[]> {
    const { method, schema } = LISTS[kind];
    const items: object[] = [];
    let cursor: string | undefined;
    do {
      const result = (await client.request(
        { method, params: cursor ? { cursor } : {} } as ClientRequest,
        schema,
        { timeout: this.options.callTimeoutMs },
      )) as Record<string, unknown> & { nextCursor?: string };
      items.push(...(result[kind] as object[]));
      cursor = result.nextCursor;
    } while (cursor);
    return items;
  }

  /** Reads the remote's lists; where they differ from what was served, serves the new ones, caches them and says so. */
  private async syncLists(client: Client): Promise<void> {
    const served = this.options.served;
    const capabilities = client.getServerCapabilities() ?? {};
    const kinds: (keyof typeof LISTS)[] = [];
    if (capabilities.tools) kinds.push('tools');
    if (capabilities.prompts) kinds.push('prompts');
    // resources/list is per user and changes with every cluster, so only its templates are compared.
    if (capabilities.resources) kinds.push('resourceTemplates');
    const changed = new Set<string>();
    for (const kind of kinds) {
      const read = await this.readList(client, kind);
      // A remote that does not know the selection headers lists everything; keep to the selection.
      const remote = kind === 'tools' ? selectedTools(read as Tool[], this.selection) : read;
      if (sameList(served[kind], remote)) continue;
      (served as unknown as Record<ListKind, object[]>)[kind] = remote;
      changed.add(LISTS[kind].changed);
    }
    const instructions = client.getInstructions();
    const instructionsChanged = instructions !== undefined && instructions !== served.instructions;
    if (instructionsChanged) served.instructions = instructions;
    if (changed.size === 0 && !instructionsChanged) return;
    await writeListCache(this.options.cachePath, served);
    for (const method of changed) {
      this.options.log.info(`the remote's list differs from the one served; sending ${method}`);
      await this.options.server.notification({ method } as ServerNotification);
    }
  }

  /**
   * Runs `operation` on the remote session, once more when the failure guarantees that the remote
   * did not run it: the sidecar could not be reached (it is started again), or a stateful remote
   * no longer knows the session (HTTP 404 to a request that carried one: a new session is started,
   * as the MCP specification says).
   */
  private async onRemote<T>(operation: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.withSidecar(() => this.connect());
    try {
      return await operation(client);
    } catch (error) {
      if (error instanceof SidecarUnreachableError) {
        await this.options.sidecar.lost(error.message);
        return operation(client);
      }
      if (
        error instanceof RemoteHttpError &&
        error.status === 404 &&
        this.transports.get(client)?.sessionId
      ) {
        this.options.log.info('the remote API no longer knows this session; starting a new one');
        if (this.remote && (await this.remote.catch(() => undefined)) === client) this.remote = undefined;
        return operation(await this.withSidecar(() => this.connect()));
      }
      throw error;
    }
  }

  /** Runs `operation`, starting the sidecar again once if its socket could not be reached (nothing was sent). */
  private async withSidecar<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof SidecarUnreachableError)) throw error;
      await this.options.sidecar.lost(error.message);
      return operation();
    }
  }

  /** A notification from the remote, passed on to the stdio client. */
  private async relay(notification: Notification): Promise<void> {
    const { server } = this.options;
    if (REMOTE_LIST_CHANGED.has(notification.method)) {
      const client = await this.remote?.catch(() => undefined);
      if (client) this.scheduleSync(client);
      return;
    }
    if (notification.method === 'notifications/message') {
      await server
        .sendLoggingMessage(notification.params as Parameters<Server['sendLoggingMessage']>[0])
        .catch(() => {});
      return;
    }
    await server.notification(notification as ServerNotification).catch((error: unknown) => {
      this.options.log.debug(`could not pass on ${notification.method}: ${(error as Error).message}`);
    });
  }

  /** A request from the remote (elicitation, sampling, roots) put to the stdio client; its answer goes back. */
  private async askClient(request: Request): Promise<Result> {
    try {
      return await this.options.server.request(
        { method: request.method, params: request.params } as ServerRequest,
        ResultSchema,
      );
    } catch (error) {
      throw asReceived(error);
    }
  }

  private async forwardOnce(request: JSONRPCRequest, extra: Extra): Promise<ServerResult> {
    const progressToken = request.params?._meta?.progressToken;
    const waits = waitSeconds(request);
    // A call that waits is exempt from the answer timeout for as long as it may wait; it is asked
    // for progress even if the client did not ask (the remote then streams it, and each progress
    // restarts the timeout too).
    const options: RequestOptions = {
      signal: extra.signal,
      timeout: this.options.callTimeoutMs + (waits ?? 0) * 1000,
      resetTimeoutOnProgress: true,
    };
    if (progressToken !== undefined || waits !== undefined) {
      options.onprogress = (progress) => {
        if (progressToken === undefined) return;
        extra
          .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
          .catch(() => {});
      };
    }
    return this.onRemote(
      async (client) =>
        (await client.request(
          { method: request.method, params: request.params } as ClientRequest,
          ResultSchema,
          options,
        )) as ServerResult,
    );
  }

  /** A login the sidecar started (or joined) for a call: tell the person, wait for it. */
  private async loginDuringCall(login: LoginAnswer, signal: AbortSignal): Promise<LoginAnswer> {
    const client = await this.options.sidecar.get();
    return followLogin(client, login, {
      openBrowser: this.options.settings.openBrowser,
      timeoutMs: this.options.loginWaitMs,
      signal,
      tell: (text) => this.tell('warning', `cnpg-mcp needs you to log in. ${text.trim()}`),
    });
  }

  private async forwardWithLogin(request: JSONRPCRequest, extra: Extra): Promise<ServerResult> {
    try {
      return await this.forwardOnce(request, extra);
    } catch (error) {
      if (!isSidecarError(error, 'ERR_LOGIN_REQUIRED') || !error.body.login) throw error;
      const login = await this.loginDuringCall(error.body.login, extra.signal);
      if (login.state !== 'logged_in') {
        const why = error.body.reason === 'rejected_by_remote' ? ` (${error.message})` : '';
        const failed = login.state === 'failed' ? ` (the login failed: ${login.message})` : '';
        const how =
          login.state === 'failed'
            ? ''
            : `${describeLogin(login).trim()}\nThen call it again (the login stays valid until ${login.expiresAt}).\n`;
        throw new LoginNotFinishedError(
          `Not logged in, so ${describeCall(request)} did not run${why}${failed}.\n${how}` +
            `Or log in from a terminal: ${this.options.loginCommand}`,
        );
      }
      const who = login.user?.email ?? login.user?.name;
      this.options.log.info(`logged in${who ? ` as ${who}` : ''}; continuing the call`);
      return this.forwardOnce(request, extra);
    }
  }

  /** The fallback request handler: everything not answered locally goes to the remote. */
  async forward(request: JSONRPCRequest, extra: Extra): Promise<ServerResult> {
    try {
      return await this.forwardWithLogin(request, extra);
    } catch (error) {
      return this.failure(request, error);
    }
  }

  /**
   * The remote's JSON-RPC errors go back as they came; other failures of a tool call become a
   * tool result the model can read, of any other request a JSON-RPC error.
   */
  private failure(request: JSONRPCRequest, error: unknown): ServerResult {
    if (error instanceof RpcError) throw error;
    if (error instanceof McpError && !isAnswerTimeout(error) && error.data !== CONNECTION_LOST) {
      throw receivedRpcError(error);
    }
    const text = error instanceof LoginNotFinishedError ? error.message : describeFailure(error);
    if (request.method !== 'tools/call') throw new RpcError(ErrorCode.InternalError, text);
    this.options.log.warn(`${describeCall(request)} failed: ${text}`);
    return { content: [{ type: 'text', text }], isError: true } satisfies CallToolResult;
  }

  /** The fallback notification handler: the client's notifications go to the remote once it is connected. */
  async forwardNotification(notification: Notification): Promise<void> {
    const client = await this.remote?.catch(() => undefined);
    if (!client) return;
    await client.notification(notification as ClientNotification).catch((error: unknown) => {
      this.options.log.warn(`could not forward ${notification.method}: ${(error as Error).message}`);
    });
  }
}
