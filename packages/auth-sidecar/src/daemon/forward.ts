import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  ERROR_HEADER,
  isSidecarError,
  LOGIN_MODE_HEADER,
  type LoginMode,
  loginModeSchema,
  MCP_PATH,
  SidecarError,
} from '../api.js';
import type { Logger } from '../redact.js';
import { readBody } from './json.js';
import type { LoginCoordinator } from './oidc/login.js';
import { AnswerTimeoutError, type Outbound, type OutboundResponse } from './outbound.js';
import type { AccessToken, TokenManager } from './token-manager.js';

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
const NOT_FORWARDED = new Set([
  'host',
  'authorization',
  'content-length',
  'expect',
  'x-cnpg-mcp-secret',
  LOGIN_MODE_HEADER,
]);

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
    if (value === undefined || HOP_BY_HOP.has(lower) || listed.has(lower) || lower === ERROR_HEADER) continue;
    out[lower] = value;
  }
  return out;
}

export interface ForwardContext {
  remoteUrl: URL;
  outbound: Outbound;
  tokens: TokenManager;
  logins: LoginCoordinator;
  log: Logger;
  maxBodyBytes?: number;
  /** How long the remote may take to start answering once a call was sent (default 50 s). */
  answerTimeoutMs?: number;
}

/** Below the usual 60 s MCP client timeout, so the person learns the remote is silent, not that "a request timed out". */
const DEFAULT_ANSWER_TIMEOUT_MS = 50_000;

/** How the caller wants a login it causes to be done: the request header LOGIN_MODE_HEADER, else auto. */
function requestedLoginMode(req: IncomingMessage): LoginMode {
  const parsed = loginModeSchema.safeParse(req.headers[LOGIN_MODE_HEADER]);
  return parsed.success ? parsed.data : 'auto';
}

/** Why the remote refused the token, from its RFC 6750 challenge or body; never the token itself. */
async function remoteRejection(response: OutboundResponse): Promise<string> {
  const challenge = response.headers['www-authenticate'];
  const text = await readBody(response.body, 64 * 1024)
    .then((bytes) => bytes.toString('utf8'))
    .catch(() => '');
  const description = /error_description="([^"]*)"/.exec(String(challenge ?? ''))?.[1];
  return (description ?? text.trim().slice(0, 300)) || 'no reason given';
}

/**
 * Forwards one /mcp request to the remote: Bearer added, hop-by-hop headers dropped, the request
 * body buffered so that a 401 can be retried once after one refresh, the response streamed back
 * chunk by chunk (SSE included) without buffering. A call that needs a login gets the login the
 * sidecar started or joined for it (ERR_LOGIN_REQUIRED, never sent to the remote); a redirect from
 * the remote is refused, never followed.
 */
export async function forwardMcp(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ForwardContext,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (!['GET', 'POST', 'DELETE'].includes(method)) {
    res.setHeader('allow', 'GET, POST, DELETE');
    throw new SidecarError({
      code: 'ERR_METHOD_NOT_ALLOWED',
      message: `${method} is not supported on ${MCP_PATH}`,
    });
  }
  const body = method === 'GET' ? undefined : await readBody(req, ctx.maxBodyBytes ?? 16 * 1024 * 1024);
  const target = new URL(ctx.remoteUrl);
  const incoming = new URL(req.url ?? '/', 'http://sidecar');
  if (incoming.search) target.search = incoming.search;
  const headers = forwardableRequestHeaders(req.headers);
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const origin = ctx.remoteUrl.origin;

  const send = async (token: AccessToken): Promise<OutboundResponse | undefined> => {
    try {
      return await ctx.outbound.send(target, {
        method,
        headers: { ...headers, authorization: `Bearer ${token.token}` },
        body,
        signal: abort.signal,
        headersTimeoutMs: ctx.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS,
      });
    } catch (error) {
      if (abort.signal.aborted) return undefined;
      throw remoteFailure(error, origin, ctx.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
    }
  };

  /**
   * No usable login (`error`): the login the sidecar starts or joins for this call is what the
   * caller gets, unless another caller's login completed a moment ago (then its token).
   */
  const afterLogin = async (error: unknown): Promise<AccessToken> => {
    // Only a call (POST) starts a login; an event stream (GET) or a session's end (DELETE) does not.
    if (!isSidecarError(error, 'ERR_LOGIN_REQUIRED') || method !== 'POST') throw error;
    const login = await ctx.logins.forCall(requestedLoginMode(req));
    if (login.state === 'logged_in') return ctx.tokens.accessToken();
    throw new SidecarError({ ...error.body, login });
  };

  let token = await ctx.tokens.accessToken().catch(afterLogin);
  let response = await send(token);
  if (response?.statusCode === 401) {
    response.body.resume();
    ctx.log(`remote answered 401; retrying once with a refreshed token (${method} ${target.pathname})`);
    token = await ctx.tokens.refreshAfterRejection(token.token).catch(afterLogin);
    response = await send(token);
    if (response?.statusCode === 401) {
      const reason = await remoteRejection(response);
      throw new SidecarError({
        code: 'ERR_LOGIN_REQUIRED',
        reason: 'rejected_by_remote',
        message: `The remote API ${origin} rejected the login (${reason}).`,
        ...(method === 'POST'
          ? { login: await ctx.logins.forCall(requestedLoginMode(req), { rejectedByRemote: true }) }
          : {}),
      });
    }
  }
  if (!response) return;
  if (response.statusCode >= 300 && response.statusCode < 400) {
    response.body.resume();
    throw redirectRefused(response, origin);
  }
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

function redirectRefused(response: OutboundResponse, origin: string): SidecarError {
  const header = response.headers.location;
  const location = Array.isArray(header) ? header[0] : header;
  return new SidecarError({
    code: 'ERR_REDIRECT_REFUSED',
    status: response.statusCode,
    ...(location === undefined ? {} : { location }),
    message:
      `The remote API ${origin} answered with a redirect (HTTP ${response.statusCode}` +
      `${location === undefined ? ', no Location' : ` to ${location}`}); cnpg-mcp never follows redirects. ` +
      'Check the remote URL setting (remoteUrl): it must be the MCP endpoint itself. The call may or may not have run.',
  });
}

/**
 * A connection reset or closed after the request went out may have delivered it, so the call's
 * outcome is unknown; a connection that could not be opened (refused, DNS, TLS) carried nothing.
 */
function remoteFailure(error: unknown, origin: string, answerTimeoutMs: number): SidecarError {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  const found = code ?? cause?.code;
  const reason = (error as Error).message;
  if (error instanceof AnswerTimeoutError) {
    return new SidecarError({
      code: 'ERR_REMOTE_TIMEOUT',
      message:
        `The remote API ${origin} did not answer within ${Math.round(answerTimeoutMs / 1000)} s, so the call ` +
        'may or may not have completed there. Check the current state before running a change again.',
    });
  }
  if (
    reason === 'terminated' ||
    (typeof found === 'string' && ['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE'].includes(found))
  ) {
    return new SidecarError({
      code: 'ERR_REMOTE_CONNECTION_LOST',
      message:
        `The connection to the remote API ${origin} was cut while the call ran (${reason}), ` +
        'so it may or may not have completed there. Check the current state before running a change again.',
    });
  }
  return new SidecarError({
    code: 'ERR_REMOTE_UNREACHABLE',
    message: `Could not reach the remote API ${origin}: ${reason}${cause instanceof Error ? ` (${cause.message})` : ''}`,
  });
}
