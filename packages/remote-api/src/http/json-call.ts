/**
 * The common stateless request, one JSON-RPC request answered with one JSON body, served without
 * the SDK's Streamable HTTP transport (which turns every Node request and response into Web
 * standard ones). Only requests that transport would accept and answer as JSON qualify, checked
 * as it checks them; anything else (initialize, batches, notifications, event streams, a bad
 * header) goes through it, so the wire behaviour is the SDK's.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type JSONRPCRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';

/** The request, when the SDK's transport would take it and answer it with a single JSON body. */
export function plainJsonCall(headers: IncomingHttpHeaders, body: unknown): JSONRPCRequest | undefined {
  if (Array.isArray(body) || isInitializeRequest(body)) return undefined;
  const accept = headers.accept;
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (!isJsonContentType(headers['content-type'])) return undefined;
  const version = headers['mcp-protocol-version'];
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) return undefined;
  const parsed = JSONRPCMessageSchema.safeParse(body);
  return parsed.success && isJSONRPCRequest(parsed.data) ? parsed.data : undefined;
}

/** A transport for one request: delivers it, and resolves with the server's answer to it. */
class OneRequest implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly answer: Promise<JSONRPCMessage>;
  private resolve!: (message: JSONRPCMessage) => void;

  constructor(private readonly id: JSONRPCRequest['id']) {
    this.answer = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    // Notifications during the call have no stream to go on, as with the SDK's JSON responses.
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id === this.id)
      this.resolve(message);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
}

/** Runs the request on `server` and writes its answer as the SDK's transport would (200, JSON). */
export async function answerJsonCall(
  server: Server,
  request: JSONRPCRequest,
  authInfo: AuthInfo,
  headers: IncomingHttpHeaders,
  res: ServerResponse,
): Promise<void> {
  const transport = new OneRequest(request.id);
  await server.connect(transport);
  transport.onmessage?.(request, { authInfo, requestInfo: { headers } });
  const answer = await Promise.race([
    transport.answer,
    new Promise<undefined>((resolve) => res.once('close', () => resolve(undefined))),
  ]);
  if (answer === undefined || res.destroyed) return;
  const body = JSON.stringify(answer);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
