import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { type Dispatcher, request } from 'undici';
import type { Logger } from '../redact.js';
import { sendJson } from './json.js';
import { type AccessToken, LoginRequiredError, type TokenManager } from './token-manager.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers never forwarded: hop-by-hop ones, plus the ones the sidecar sets itself. */
const NOT_FORWARDED = new Set(['host', 'authorization', 'content-length', 'expect', 'x-cnpg-mcp-secret']);

function connectionTokens(headers: Readonly<Record<string, unknown>>): Set<string> {
  const value = headers.connection;
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function forwardableRequestHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || NOT_FORWARDED.has(lower) || listed.has(lower))
      continue;
    out[lower] = value;
  }
  return out;
}

export function forwardableResponseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const listed = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

export class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface ForwardContext {
  remoteUrl: URL;
  dispatcher: Dispatcher;
  tokens: TokenManager;
  log: Logger;
  maxBodyBytes?: number;
}

function loginRequired(res: ServerResponse, error: LoginRequiredError): void {
  sendJson(res, 401, { error: 'login_required', reason: error.reason, message: error.message });
}

/**
 * Forwards one /mcp request to the remote: Bearer added, hop-by-hop headers dropped, the request
 * body buffered so that a 401 can be retried once after one refresh, the response streamed back
 * chunk by chunk (SSE included) without buffering.
 */
export async function forwardMcp(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ForwardContext,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (!['GET', 'POST', 'DELETE'].includes(method)) {
    res.setHeader('allow', 'GET, POST, DELETE');
    sendJson(res, 405, { error: 'method_not_allowed', message: `${method} is not supported on /mcp` });
    return;
  }
  let body: Buffer | undefined;
  try {
    body = method === 'GET' ? undefined : await readBody(req, ctx.maxBodyBytes ?? 16 * 1024 * 1024);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: 'body_too_large', message: error.message });
      return;
    }
    throw error;
  }
  const target = new URL(ctx.remoteUrl);
  const incoming = new URL(req.url ?? '/', 'http://sidecar');
  if (incoming.search) target.search = incoming.search;
  const headers = forwardableRequestHeaders(req.headers);
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  const send = (token: AccessToken) =>
    request(target, {
      dispatcher: ctx.dispatcher,
      method: method as Dispatcher.HttpMethod,
      headers: { ...headers, authorization: `Bearer ${token.token}` },
      body,
      signal: abort.signal,
    });

  const sendOrReport = async (token: AccessToken): Promise<Dispatcher.ResponseData | undefined> => {
    try {
      return await send(token);
    } catch (error) {
      if (abort.signal.aborted) return undefined;
      const reason = (error as Error).message;
      if (requestMayHaveArrived(error)) {
        const message =
          `The connection to the remote API ${ctx.remoteUrl.origin} was cut while the call ran (${reason}), ` +
          'so it may or may not have completed there. Check the current state before running a change again.';
        ctx.log(message);
        sendJson(res, 502, { error: 'remote_connection_lost', message });
        return undefined;
      }
      const message = `Could not reach the remote API ${ctx.remoteUrl.origin}: ${reason}`;
      ctx.log(message);
      sendJson(res, 502, { error: 'remote_unreachable', message });
      return undefined;
    }
  };

  // Token problems other than "login required" (keychain unusable, provider down) propagate to the
  // API's error handler; only connection failures to the remote are reported here.
  let response: Dispatcher.ResponseData | undefined;
  try {
    let token = await ctx.tokens.accessToken();
    response = await sendOrReport(token);
    if (response?.statusCode === 401) {
      await response.body.dump();
      token = await ctx.tokens.refreshAfterRejection(token.token);
      ctx.log(`remote answered 401; retrying once with a refreshed token (${method} ${target.pathname})`);
      response = await sendOrReport(token);
    }
  } catch (error) {
    if (error instanceof LoginRequiredError) return loginRequired(res, error);
    throw error;
  }
  if (!response) return;
  res.writeHead(response.statusCode, forwardableResponseHeaders(response.headers));
  res.flushHeaders();
  try {
    await pipeline(response.body, res);
  } catch (error) {
    if (!abort.signal.aborted)
      ctx.log(`stream from the remote ended with an error: ${(error as Error).message}`);
    res.destroy();
  }
}

/**
 * A connection reset or closed after the request went out may have delivered it, so the call's
 * outcome is unknown; a connection that could not be opened (refused, DNS, TLS) carried nothing.
 */
function requestMayHaveArrived(error: unknown): boolean {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  const found = code ?? cause?.code;
  return (
    (error as Error).message === 'terminated' ||
    (typeof found === 'string' && ['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE'].includes(found))
  );
}
