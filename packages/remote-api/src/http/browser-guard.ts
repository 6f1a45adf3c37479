import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublicAddress } from './public-address.js';
import { sendJson } from './respond.js';

/**
 * DNS-rebinding and cross-origin protection for everything a browser could reach: the Host must
 * name this server, and an Origin (browsers send one; native clients do not) must be allowed.
 * Allowed origins get CORS headers; preflights are answered here.
 */
export type GuardOutcome = { ok: true; corsHeaders: Record<string, string> } | { ok: false; reason: string };

const ALLOWED_HEADERS =
  'authorization, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id';
const EXPOSED_HEADERS = 'www-authenticate, mcp-session-id';

export function guardBrowserRequest(req: IncomingMessage, address: PublicAddress): GuardOutcome {
  if (!address.hostAllowed(req.headers.host)) {
    return { ok: false, reason: `Host ${req.headers.host ?? '(none)'} does not name this server` };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true, corsHeaders: {} };
  if (!address.originAllowed(origin)) {
    return { ok: false, reason: `Origin ${origin} is not allowed (ALLOWED_ORIGINS)` };
  }
  return {
    ok: true,
    corsHeaders: {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': EXPOSED_HEADERS,
      vary: 'Origin',
    },
  };
}

export function refuseBrowserRequest(res: ServerResponse, reason: string): void {
  sendJson(res, 403, { error: 'forbidden', error_description: reason });
}

/** Answers a CORS preflight (OPTIONS) for an allowed origin. */
export function answerPreflight(
  res: ServerResponse,
  corsHeaders: Record<string, string>,
  methods: string,
): void {
  res.writeHead(204, {
    ...corsHeaders,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
}
