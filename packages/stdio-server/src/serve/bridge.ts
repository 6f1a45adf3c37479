import { setTimeout as sleep } from 'node:timers/promises';
import { type Settings, SIDECAR_BASE_URL, SidecarApiError } from '@cnpg-mcp/auth-sidecar';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  ErrorCode,
  type JSONRPCNotification,
  type JSONRPCRequest,
  LATEST_PROTOCOL_VERSION,
  type LoggingLevel,
  McpError,
  type Notification,
  ResultSchema,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import { type ListKind, type ServedLists, sameList, writeListCache } from './list-cache.js';
import { loginDuringCall } from './login-during-call.js';
import {
  type JSONRPCReply,
  LoginNeededError,
  RemoteFailedError,
  RemoteLink,
  type RemoteRequestOptions,
  SidecarConnectionLostError,
  SidecarUnreachableError,
} from './remote-link.js';
import type { SidecarLink } from './sidecar-link.js';

export interface BridgeOptions {
  server: Server;
  settings: Settings;
  sidecar: SidecarLink;
  served: ServedLists;
  cachePath: string;
  log: Logger;
  loginMode: 'auto' | 'browser' | 'device';
  loginWaitMs: number;
  /** The exact command a person runs in a terminal to log in with these settings. */
  loginCommand: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const LIST_METHODS: Record<ListKind, { method: string; field: string; changed: string }> = {
  tools: { method: 'tools/list', field: 'tools', changed: 'notifications/tools/list_changed' },
  prompts: { method: 'prompts/list', field: 'prompts', changed: 'notifications/prompts/list_changed' },
  resources: {
    method: 'resources/list',
    field: 'resources',
    changed: 'notifications/resources/list_changed',
  },
  resourceTemplates: {
    method: 'resources/templates/list',
    field: 'resourceTemplates',
    changed: 'notifications/resources/list_changed',
  },
};

const REMOTE_LIST_CHANGED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

/**
 * Carries every MCP message the stdio client sends beyond the locally answered lists to the remote
 * through the sidecar, and the remote's notifications back; logs in when a call needs it.
 */
export class Bridge {
  private readonly link: RemoteLink;
  private remoteReady: Promise<ServerCapabilities> | undefined;
  private syncing: Promise<void> | undefined;
  private nextId = 1;
  private listening = false;
  private readonly closing = new AbortController();

  constructor(private readonly options: BridgeOptions) {
    this.link = new RemoteLink(async () => (await options.sidecar.get()).fetch, `${SIDECAR_BASE_URL}/mcp`);
  }

  /** Sends a logging message to the client (subject to its logging/setLevel) and to stderr. */
  async tell(level: LoggingLevel, text: string): Promise<void> {
    this.options.log(text);
    await this.options.server.sendLoggingMessage({ level, logger: 'cnpg-mcp', data: text }).catch(() => {});
  }

  /** At start-up: if a login already exists, read the remote's lists now (never blocks the handshake). */
  async syncIfLoggedIn(): Promise<void> {
    const client = await this.options.sidecar.get();
    const status = await client.status();
    if (!status.loggedIn) {
      this.options.log('not logged in yet; the first tool call will start a login');
      return;
    }
    await this.ensureRemote();
  }

  /** Initializes the remote once per session (shared by concurrent calls, so never tied to one call's signal). */
  private ensureRemote(): Promise<ServerCapabilities> {
    this.remoteReady ??= this.initializeRemote().catch((error: unknown) => {
      this.remoteReady = undefined;
      throw error;
    });
    return this.remoteReady;
  }

  private async initializeRemote(): Promise<ServerCapabilities> {
    const { server } = this.options;
    const client = server.getClientVersion();
    const reply = await this.withSidecar(() =>
      this.link.request({
        jsonrpc: '2.0',
        id: `cnpg-mcp-${this.nextId++}`,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: server.getClientCapabilities() ?? {},
          clientInfo: {
            name: client ? `${client.name} via cnpg-mcp` : 'cnpg-mcp',
            version: client?.version ?? VERSION,
          },
        },
      }),
    );
    if ('error' in reply)
      throw new RemoteFailedError(`the remote API refused initialize: ${reply.error.message}`);
    const result = reply.result as {
      protocolVersion?: string;
      capabilities?: ServerCapabilities;
      instructions?: string;
    };
    if (result.protocolVersion) this.link.setProtocolVersion(result.protocolVersion);
    await this.withSidecar(() => this.link.notify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    const capabilities = result.capabilities ?? {};
    this.scheduleSync(capabilities, result.instructions);
    this.listenForRemote();
    return capabilities;
  }

  private scheduleSync(capabilities: ServerCapabilities, instructions?: string): void {
    if (this.syncing) return;
    this.syncing = this.syncLists(capabilities, instructions)
      .catch((error: unknown) =>
        this.options.log(`could not read the remote's lists: ${(error as Error).message}`),
      )
      .finally(() => {
        this.syncing = undefined;
      });
  }

  /** Waits for a list refresh that is under way (tests and shutdown use it). */
  async settled(): Promise<void> {
    await this.syncing;
  }

  /**
   * Keeps the standalone stream of a stateful remote open (reopened a second after it ends), so
   * what the remote sends outside any call reaches the client. Stateless remotes offer none.
   */
  private listenForRemote(): void {
    if (this.listening) return;
    this.listening = true;
    const options: RemoteRequestOptions = {
      signal: this.closing.signal,
      onNotification: (notification) => this.relay(notification),
      onRequest: (request) => this.askClient(request),
    };
    void (async () => {
      while (!this.closing.signal.aborted) {
        try {
          if (!(await this.withSidecar(() => this.link.listen(options)))) return;
        } catch (error) {
          this.options.log(`the remote's event stream failed: ${(error as Error).message}`);
        }
        await sleep(1000, undefined, { signal: this.closing.signal }).catch(() => {});
      }
    })().finally(() => {
      this.listening = false;
    });
  }

  /** Stops background work (the remote's event stream). */
  close(): void {
    this.closing.abort();
  }

  private async readList(kind: ListKind): Promise<object[]> {
    const { method, field } = LIST_METHODS[kind];
    const items: object[] = [];
    let cursor: string | undefined;
    do {
      const reply = await this.withSidecar(() =>
        this.link.request({
          jsonrpc: '2.0',
          id: `cnpg-mcp-${this.nextId++}`,
          method,
          params: cursor ? { cursor } : {},
        }),
      );
      if ('error' in reply) throw new RemoteFailedError(`${method}: ${reply.error.message}`);
      const result = reply.result as Record<string, unknown>;
      const page = result[field];
      if (Array.isArray(page)) items.push(...(page as object[]));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
    } while (cursor);
    return items;
  }

  /** Reads the remote's lists; where they differ from what was served, serves the new ones, caches them and says so. */
  private async syncLists(capabilities: ServerCapabilities, instructions?: string): Promise<void> {
    const served = this.options.served;
    const kinds: ListKind[] = [];
    if (capabilities.tools) kinds.push('tools');
    if (capabilities.prompts) kinds.push('prompts');
    // resources/list is per user and changes with every cluster, so only its templates are compared.
    if (capabilities.resources) kinds.push('resourceTemplates');
    const changed = new Set<string>();
    for (const kind of kinds) {
      const remote = await this.readList(kind);
      if (sameList(served[kind], remote)) continue;
      (served as unknown as Record<ListKind, object[]>)[kind] = remote;
      changed.add(LIST_METHODS[kind].changed);
    }
    const instructionsChanged = instructions !== undefined && instructions !== served.instructions;
    if (instructionsChanged) served.instructions = instructions;
    if (changed.size === 0 && !instructionsChanged) return;
    await writeListCache(this.options.cachePath, served);
    for (const method of changed) {
      this.options.log(`the remote's list differs from the one served; sending ${method}`);
      await this.options.server.notification({ method } as ServerNotification);
    }
  }

  /** Runs `operation`, starting the sidecar again once if its socket stopped answering. */
  private async withSidecar<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof SidecarUnreachableError)) throw error;
      await this.options.sidecar.lost(error.message);
      return operation();
    }
  }

  /** Passes a remote notification on; `extra` ties it to the call it belongs to, if any. */
  private async relay(notification: JSONRPCNotification, extra?: Extra): Promise<void> {
    if (REMOTE_LIST_CHANGED.has(notification.method)) {
      const capabilities = await this.remoteReady;
      if (capabilities) this.scheduleSync(capabilities);
      return;
    }
    if (notification.method === 'notifications/message') {
      await this.options.server
        .sendLoggingMessage(notification.params as Parameters<Server['sendLoggingMessage']>[0])
        .catch(() => {});
      return;
    }
    const message = notification as unknown as ServerNotification;
    await (extra ? extra.sendNotification(message) : this.options.server.notification(message));
  }

  /** A request from the remote (elicitation, sampling, roots) put to the stdio client; its answer goes back. */
  private async askClient(request: JSONRPCRequest, extra?: Extra): Promise<JSONRPCReply> {
    const question = { method: request.method, params: request.params } as ServerRequest;
    try {
      const result = await (extra
        ? extra.sendRequest(question, ResultSchema)
        : this.options.server.request(question, ResultSchema));
      return { jsonrpc: '2.0', id: request.id, result };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return {
        jsonrpc: '2.0',
        id: request.id,
        error: {
          code: typeof code === 'number' ? code : ErrorCode.InternalError,
          message: (error as Error).message ?? String(error),
        },
      };
    }
  }

  private async forwardOnce(request: JSONRPCRequest, extra: Extra): Promise<ServerResult> {
    await this.ensureRemote();
    const options: RemoteRequestOptions = {
      signal: extra.signal,
      onNotification: (notification) => this.relay(notification, extra),
      onRequest: (remoteRequest) => this.askClient(remoteRequest, extra),
    };
    const id = `cnpg-mcp-${this.nextId++}`;
    // Aborting the HTTP request is what a stateless remote notices; a stateful one also gets told.
    const onAbort = () => {
      this.link
        .notify({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: String(extra.signal.reason ?? 'cancelled by the client') },
        })
        .catch(() => {});
    };
    extra.signal.addEventListener('abort', onAbort, { once: true });
    let reply: Awaited<ReturnType<RemoteLink['request']>>;
    try {
      reply = await this.withSidecar(() => this.link.request({ ...request, id }, options));
    } finally {
      extra.signal.removeEventListener('abort', onAbort);
    }
    if ('error' in reply) throw new McpError(reply.error.code, reply.error.message, reply.error.data);
    return reply.result as ServerResult;
  }

  /** The fallback request handler: everything not answered locally goes to the remote. */
  async forward(request: JSONRPCRequest, extra: Extra): Promise<ServerResult> {
    let rejection: string | undefined;
    try {
      return await this.forwardOnce(request, extra);
    } catch (error) {
      if (!(error instanceof LoginNeededError)) return this.failure(request, error);
      rejection = error.reason === 'rejected' ? error.message : undefined;
    }
    let outcome: Awaited<ReturnType<typeof loginDuringCall>>;
    try {
      const client = await this.options.sidecar.get();
      outcome = await loginDuringCall(client, {
        mode: this.options.loginMode,
        waitMs: this.options.loginWaitMs,
        openBrowser: this.options.settings.openBrowser,
        signal: extra.signal,
        tell: (text) => this.tell('warning', text),
      });
    } catch (error) {
      return this.failure(request, error);
    }
    if (outcome.loggedIn) {
      this.options.log(
        `logged in${outcome.user?.email ? ` as ${outcome.user.email}` : ''}; continuing the call`,
      );
      try {
        return await this.forwardOnce(request, extra);
      } catch (error) {
        return this.failure(request, error);
      }
    }
    const where =
      outcome.start.mode === 'device'
        ? `open ${outcome.start.verificationUri} and enter the code ${outcome.start.userCode}`
        : `open ${outcome.start.authorizationUrl}`;
    const message =
      `Not logged in, so ${describeCall(request)} did not run` +
      `${rejection ? ` (${rejection})` : ''}${outcome.error ? ` (login: ${outcome.error})` : ''}.\n` +
      `To log in, ${where} (valid until ${outcome.start.expiresAt}), then call it again.\n` +
      `Or log in from a terminal: ${this.options.loginCommand}`;
    return this.failure(request, new LoginNeededError(message, 'no_login'));
  }

  /** Tool calls fail as tool results the model can read; other requests as JSON-RPC errors. */
  private failure(request: JSONRPCRequest, error: unknown): ServerResult {
    if (error instanceof McpError) throw error;
    if (request.method === 'tools/call') {
      const text = describeFailure(error);
      this.options.log(`${describeCall(request)} failed: ${text}`);
      return { content: [{ type: 'text', text }], isError: true } satisfies CallToolResult;
    }
    throw new McpError(ErrorCode.InternalError, describeFailure(error));
  }

  /** The fallback notification handler: client notifications (except cancellation) go to the remote. */
  async forwardNotification(notification: Notification): Promise<void> {
    if (!this.remoteReady) return;
    try {
      await this.withSidecar(() =>
        this.link.notify({ jsonrpc: '2.0', ...notification } as JSONRPCNotification),
      );
    } catch (error) {
      this.options.log(`could not forward ${notification.method}: ${(error as Error).message}`);
    }
  }
}

function describeCall(request: JSONRPCRequest): string {
  const name = (request.params as { name?: unknown } | undefined)?.name;
  return request.method === 'tools/call' && typeof name === 'string' ? `the tool ${name}` : request.method;
}

/**
 * The sidecar died mid-call (a lost connection, or undici's "terminated" for a response cut
 * mid-way): the call may have reached the remote.
 */
function isCutConnection(error: unknown): boolean {
  if (error instanceof SidecarConnectionLostError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return error.message === 'terminated' || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

function describeFailure(error: unknown): string {
  if (error instanceof LoginNeededError) return error.message;
  if (isCutConnection(error)) {
    return (
      'The connection to the remote API (through the auth sidecar) was cut while the call ran, so it ' +
      'may or may not have completed on the remote. Check the current state (for example with ' +
      'cluster_status) before running a change again.'
    );
  }
  if (error instanceof RemoteFailedError) return `cnpg-mcp could not complete the call: ${error.message}`;
  if (error instanceof SidecarApiError) return `cnpg-mcp could not complete the call: ${error.message}`;
  if (error instanceof SidecarUnreachableError) {
    return `cnpg-mcp could not reach its auth sidecar (${error.message}); run \`cnpg-mcp doctor\` to see why`;
  }
  return `cnpg-mcp failed: ${(error as Error)?.message ?? String(error)}`;
}
