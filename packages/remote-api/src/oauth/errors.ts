import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

/** An RFC 6749 / 7591 error: a code, a description naming what was wrong, an HTTP status. */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    readonly status = code === 'invalid_client' ? 401 : code === 'server_error' ? 500 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export function sendOAuthError(
  res: ServerResponse,
  error: OAuthError,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    error.status,
    { error: error.code, error_description: error.message },
    {
      ...(error.status === 401 ? { 'www-authenticate': 'Basic realm="cnpg-mcp"' } : {}),
      ...headers,
    },
  );
}

/** Sends the browser back to the client's redirect URI with an authorization response (RFC 6749 §4.1.2). */
export function redirectToClient(
  res: ServerResponse,
  redirectUri: string,
  params: Record<string, string | undefined>,
): void {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) target.searchParams.set(name, value);
  res.writeHead(303, { location: target.href, 'cache-control': 'no-store' });
  res.end();
}
