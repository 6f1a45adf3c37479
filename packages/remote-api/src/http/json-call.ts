/**
 * The common stateless request, one JSON-RPC request answered with one JSON body, served without
 * the SDK's Streamable HTTP transport (which turns every Node request and response into Web
 * standard ones). Only requests that transport would accept and answer as JSON qualify, checked
 * as it checks them; anything else (initialize, batches, notifications, event streams, a bad
 * header) goes through it, so the wire behaviour is the SDK's.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  JSONRPCRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';

/** The request, when the SDK's transport would take it and answer it with a single JSON body. */
export function plainJsonCall(headers: IncomingHttpHeaders, body: unknown): JSONRPCRequest | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { method, id } = body as { method?: unknown; id?: unknown };
  // initialize (which may start a session) and anything but a request go through the SDK.
  if (typeof method !== 'string' || method === 'initialize' || id === undefined) return undefined;
  const accept = headers.accept;
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (!isJsonContentType(headers['content-type'])) return undefined;
  const version = headers['mcp-protocol-version'];
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) return undefined;
  const parsed = JSONRPCRequestSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A transport that stays connected to one server and carries its requests one at a time: no
 * transport, and no server, is built or torn down per request.
 */
export class RequestChannel implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private pending: { id: JSONRPCRequest['id']; resolve: (message: JSONRPCMessage) => void } | undefined;

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    // Notifications during the call have no stream to go on, as with the SDK's JSON responses.
    const pending = this.pending;
    if (!pending || !(isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message))) return;
    if (message.id !== pending.id) return;
    this.pending = undefined;
    pending.resolve(message);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** Runs one request; resolves with its answer, or undefined when `gone` fires first (then close the server: that cancels the call). */
  request(
    request: JSONRPCRequest,
    authInfo: AuthInfo,
    headers: IncomingHttpHeaders,
    gone: Promise<void>,
  ): Promise<JSONRPCMessage | undefined> {
    let entry: { id: JSONRPCRequest['id']; resolve: (message: JSONRPCMessage) => void } | undefined;
    const answer = new Promise<JSONRPCMessage>((resolve) => {
      entry = { id: request.id, resolve };
      this.pending = entry;
    });
    this.onmessage?.(request, { authInfo, requestInfo: { headers } });
    return Promise.race([
      answer,
      gone.then(() => {
        // Only this request, while still unanswered (the channel may be serving another by now).
        if (this.pending === entry) this.pending = undefined;
        return undefined;
      }),
    ]);
  }
}

/** Writes a JSON-RPC answer as the SDK's transport does for a JSON response (200, application/json). */
export function sendAnswer(res: ServerResponse, answer: JSONRPCMessage): void {
  const body = JSON.stringify(answer);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
