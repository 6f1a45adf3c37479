import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResponse,
} from '@modelcontextprotocol/sdk/types.js';
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** fetch as SidecarClient exposes it (requests go over the sidecar's Unix socket). */
export type SocketFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** A JSON-RPC response or error for one request. */
export type JSONRPCReply = JSONRPCResponse | { jsonrpc: '2.0'; id: string | number; error: RpcErrorBody };

interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** The sidecar has no login to offer (its 401 `login_required`), or the remote refused the login. */
export class LoginNeededError extends Error {
  constructor(
    message: string,
    readonly reason: 'no_login' | 'rejected',
  ) {
    super(message);
    this.name = 'LoginNeededError';
  }
}

/** The sidecar's socket did not answer: it is not running (any more). */
export class SidecarUnreachableError extends Error {
  constructor(cause: unknown) {
    super(`the auth sidecar does not answer: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'SidecarUnreachableError';
  }
}

/**
 * The connection to the sidecar broke after the request went out (the sidecar died mid-call): the
 * call may or may not have completed, so it is reported, never sent again.
 */
export class SidecarConnectionLostError extends Error {
  constructor(cause: unknown) {
    super(`the connection to the auth sidecar was cut: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = 'SidecarConnectionLostError';
  }
}

/** Anything else that stopped a message from reaching the remote or its answer from coming back. */
export class RemoteFailedError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteFailedError';
  }
}

export interface RemoteRequestOptions {
  signal?: AbortSignal;
  /** Notifications the remote sends while answering (progress, logging, list_changed). */
  onNotification?: (notification: JSONRPCNotification) => Promise<void> | void;
  /** Requests the remote sends while answering (elicitation, sampling, roots); the reply goes back to it. */
  onRequest?: (request: JSONRPCRequest) => Promise<JSONRPCReply>;
}

/** The socket could not be opened: nothing was sent, so the request may be sent again. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOENT']);
/** The connection broke once open: the request may have been delivered, so it must not be repeated. */
const CUT_OFF = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

function errorCodeIn(error: unknown, codes: ReadonlySet<string>): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function connectionFailure(error: unknown): Error | undefined {
  if (errorCodeIn(error, NOT_CONNECTED)) return new SidecarUnreachableError(error);
  if (errorCodeIn(error, CUT_OFF)) return new SidecarConnectionLostError(error);
  return undefined;
}

function isReplyTo(message: JSONRPCMessage, id: string | number): message is JSONRPCReply {
  return 'id' in message && message.id === id && ('result' in message || 'error' in message);
}

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

function isNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  return 'method' in message && !('id' in message);
}

/** The sidecar's own errors are `{ error, message }` and say what to do; the remote's are described. */
function describeHttpFailure(status: number, text: string): string {
  let detail = text.trim().slice(0, 500);
  try {
    const body = JSON.parse(text) as { message?: unknown; error_description?: unknown; error?: unknown };
    if (typeof body.error === 'string' && typeof body.message === 'string') return body.message;
    const message = body.error_description ?? body.error;
    if (typeof message === 'string') detail = message;
  } catch {
    // not JSON: keep the text
  }
  return `the remote API answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
}

/**
 * One MCP Streamable HTTP client per stdio session, over the sidecar. Each request is its own HTTP
 * POST with its own AbortSignal, so cancelling one aborts exactly that request upstream (a stateless
 * remote learns of a cancellation only through its connection closing).
 */
export class RemoteLink {
  private protocolVersion: string | undefined;
  private sessionId: string | undefined;

  constructor(
    private readonly fetch: () => Promise<SocketFetch>,
    private readonly url: string,
  ) {}

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    return headers;
  }

  private async post(message: JSONRPCMessage, signal?: AbortSignal): Promise<Response> {
    const fetch = await this.fetch();
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(message),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw (
        connectionFailure(error) ??
        new RemoteFailedError(`could not talk to the auth sidecar: ${(error as Error).message}`)
      );
    }
    const session = response.headers.get('mcp-session-id');
    if (session) this.sessionId = session;
    if (response.status === 401 || response.status === 403) {
      const text = await response.text();
      let body: { error?: unknown; message?: unknown; error_description?: unknown } = {};
      try {
        body = JSON.parse(text);
      } catch {
        // a remote's non-JSON 401
      }
      if (body.error === 'login_required') {
        throw new LoginNeededError(
          typeof body.message === 'string' ? body.message : 'not logged in',
          'no_login',
        );
      }
      if (response.status === 401) {
        throw new LoginNeededError(
          `the remote API rejected the login (${describeHttpFailure(401, text)})`,
          'rejected',
        );
      }
      throw new RemoteFailedError(describeHttpFailure(response.status, text), response.status);
    }
    return response;
  }

  /** Sends a notification (e.g. notifications/cancelled); the remote's 202 carries no body. */
  async notify(notification: JSONRPCNotification): Promise<void> {
    const response = await this.post(notification);
    await response.body?.cancel();
  }

  /** Sends one request and returns its reply, passing along whatever the remote sends meanwhile. */
  async request(request: JSONRPCRequest, options: RemoteRequestOptions = {}): Promise<JSONRPCReply> {
    const response = await this.post(request, options.signal);
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok) {
      const text = await response.text();
      const reply = this.replyIn(text, request.id);
      if (reply) return reply;
      throw new RemoteFailedError(describeHttpFailure(response.status, text), response.status);
    }
    if (type.includes('text/event-stream')) return this.readStream(response, request.id, options);
    const text = await response.text();
    const reply = this.replyIn(text, request.id);
    if (!reply) throw new RemoteFailedError(`the remote API sent no answer to ${request.method}`);
    return reply;
  }

  private replyIn(text: string, id: string | number): JSONRPCReply | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const messages = (Array.isArray(parsed) ? parsed : [parsed]) as JSONRPCMessage[];
    return messages.find((m) => m && typeof m === 'object' && isReplyTo(m, id));
  }

  /** Replies to a request from the remote without holding up the stream the reply is awaited on. */
  private async answer(request: JSONRPCRequest, options: RemoteRequestOptions): Promise<void> {
    const reply: JSONRPCReply = options.onRequest
      ? await options.onRequest(request)
      : { jsonrpc: '2.0', id: request.id, error: { code: -32601, message: 'Method not found' } };
    try {
      const response = await this.post(reply);
      await response.body?.cancel();
    } catch {
      // the remote has gone or the call ended; nobody is waiting for this reply any more
    }
  }

  private async readStream(
    response: Response,
    id: string | number,
    options: RemoteRequestOptions,
  ): Promise<JSONRPCReply> {
    const reply = await this.consume(response, options, id);
    if (reply) return reply;
    if (options.signal?.aborted) throw options.signal.reason;
    throw new RemoteFailedError('the remote API closed the event stream before answering');
  }

  /** Passes a stream's notifications and requests on; returns the reply to `id` when one comes. */
  private async consume(
    response: Response,
    options: RemoteRequestOptions,
    id?: string | number,
  ): Promise<JSONRPCReply | undefined> {
    if (!response.body) return undefined;
    const events = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        if (value.event && value.event !== 'message') continue;
        let message: JSONRPCMessage;
        try {
          message = JSON.parse(value.data) as JSONRPCMessage;
        } catch {
          continue;
        }
        if (id !== undefined && isReplyTo(message, id)) return message;
        if (isNotification(message)) await options.onNotification?.(message);
        else if (isRequest(message)) void this.answer(message, options);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  /**
   * The standalone GET stream on which a stateful remote sends what belongs to no request
   * (server-initiated requests, list_changed). Resolves when it ends; false when the remote
   * offers none (a stateless remote answers 405).
   */
  async listen(options: RemoteRequestOptions): Promise<boolean> {
    if (!this.sessionId) return false;
    const fetch = await this.fetch();
    const headers = this.headers();
    delete headers['content-type'];
    headers.accept = 'text/event-stream';
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'GET', headers, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) return true;
      throw connectionFailure(error) ?? error;
    }
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      await response.body?.cancel();
      return false;
    }
    await this.consume(response, options);
    return true;
  }
}
