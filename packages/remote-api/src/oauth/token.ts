import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BodyTooLarge, readBody } from '../http/respond.js';
import type { ProxyCode } from './callback.js';
import { isMetadataDocumentUrl } from './client-metadata-documents.js';
import { registeredClient } from './clients.js';
import { checkResource, type ProxyContext, requestedScopes } from './context.js';
import { OAuthError } from './errors.js';
import { SealError } from './sealed.js';
import type { UpstreamTokens } from './upstream.js';

/** The refresh token the proxy gives its client: the provider's refresh token, sealed to that client. */
interface ProxyRefresh {
  /** the provider's refresh token */
  rt: string;
  c: string;
  sc: string[];
}

const MAX_FORM_BYTES = 64 * 1024;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

interface ClientCredentials {
  clientId: string;
  secret: string | undefined;
}

/** client_secret_basic (Authorization header) or client_secret_post / none (form fields). */
function clientCredentials(req: IncomingMessage, form: URLSearchParams): ClientCredentials {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials');
    return {
      clientId: decodeURIComponent(decoded.slice(0, separator)),
      secret: decodeURIComponent(decoded.slice(separator + 1)),
    };
  }
  const clientId = form.get('client_id');
  if (!clientId) throw new OAuthError('invalid_client', 'client_id is missing');
  return { clientId, secret: form.get('client_secret') ?? undefined };
}

/** A confidential registered client must present its secret; public clients present none. */
async function authenticateClient(ctx: ProxyContext, credentials: ClientCredentials): Promise<void> {
  if (isMetadataDocumentUrl(credentials.clientId)) return;
  const client = await registeredClient(credentials.clientId, ctx.sealer);
  if (client.authMethod === 'none') return;
  if (!credentials.secret || !ctx.sealer.clientSecretMatches(client.clientId, credentials.secret)) {
    throw new OAuthError('invalid_client', 'wrong or missing client secret');
  }
}

async function openSealed<T extends object>(
  ctx: ProxyContext,
  purpose: 'code' | 'refresh',
  value: string | null,
): Promise<T> {
  if (!value)
    throw new OAuthError('invalid_request', `${purpose === 'code' ? 'code' : 'refresh_token'} is missing`);
  try {
    return await ctx.sealer.open<T>(purpose, value);
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    throw new OAuthError(
      'invalid_grant',
      `the ${purpose === 'code' ? 'code' : 'refresh token'} is not valid: ${error.message}`,
    );
  }
}

function sameValue(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The API scopes actually granted (the provider may grant fewer than asked). */
function grantedScopes(ctx: ProxyContext, tokens: UpstreamTokens, asked: string[]): string[] {
  if (!tokens.scope) return asked;
  const granted = tokens.scope.split(' ');
  return [ctx.config.scopes.read, ctx.config.scopes.write].filter((scope) => granted.includes(scope));
}

async function tokenResponse(
  ctx: ProxyContext,
  clientId: string,
  tokens: UpstreamTokens,
  asked: string[],
  previousRefresh?: string,
): Promise<Record<string, unknown>> {
  try {
    await ctx.checkAccessToken(tokens.accessToken);
  } catch (error) {
    throw new OAuthError(
      'server_error',
      `the identity provider issued an access token this API does not accept (${(error as Error).message}); check OIDC_AUDIENCE and the provider's API settings`,
    );
  }
  const scopes = grantedScopes(ctx, tokens, asked);
  const upstreamRefresh = tokens.refreshToken ?? previousRefresh;
  const refresh: ProxyRefresh | undefined = upstreamRefresh
    ? { rt: upstreamRefresh, c: clientId, sc: asked }
    : undefined;
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    ...(tokens.expiresIn === undefined ? {} : { expires_in: tokens.expiresIn }),
    scope: scopes.join(' '),
    ...(refresh ? { refresh_token: await ctx.sealer.seal('refresh', refresh) } : {}),
  };
}

async function authorizationCodeGrant(
  ctx: ProxyContext,
  credentials: ClientCredentials,
  form: URLSearchParams,
): Promise<Record<string, unknown>> {
  const code = await openSealed<ProxyCode>(ctx, 'code', form.get('code'));
  if (!sameValue(code.c, credentials.clientId))
    throw new OAuthError('invalid_grant', 'the code was issued to another client');
  if (form.get('redirect_uri') !== code.r) {
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the one of the authorization request');
  }
  const verifier = form.get('code_verifier') ?? '';
  if (!PKCE_VERIFIER.test(verifier))
    throw new OAuthError('invalid_grant', 'code_verifier is missing or malformed (PKCE)');
  if (!sameValue(createHash('sha256').update(verifier).digest('base64url'), code.cc)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge (PKCE)');
  }
  checkResource(form.get('resource') ?? undefined, ctx.base);
  const callback = new URL(`${ctx.base}/oauth/callback`);
  callback.searchParams.set('code', code.uc);
  callback.searchParams.set('state', code.st);
  if (code.ui) callback.searchParams.set('iss', code.ui);
  const tokens = await ctx.upstream.exchange(callback, { state: code.st, nonce: code.no, verifier: code.v });
  return tokenResponse(ctx, credentials.clientId, tokens, code.sc);
}

async function refreshTokenGrant(
  ctx: ProxyContext,
  credentials: ClientCredentials,
  form: URLSearchParams,
): Promise<Record<string, unknown>> {
  const refresh = await openSealed<ProxyRefresh>(ctx, 'refresh', form.get('refresh_token'));
  if (!sameValue(refresh.c, credentials.clientId)) {
    throw new OAuthError('invalid_grant', 'the refresh token was issued to another client');
  }
  checkResource(form.get('resource') ?? undefined, ctx.base);
  const scope = form.get('scope');
  const asked = scope ? requestedScopes(scope, ctx.config) : refresh.sc;
  if (asked.some((s) => !refresh.sc.includes(s))) {
    throw new OAuthError(
      'invalid_scope',
      `a refresh cannot add scopes; this grant has ${refresh.sc.join(' ')}`,
    );
  }
  const tokens = await ctx.upstream.refresh(refresh.rt, scope ? asked : undefined);
  return tokenResponse(ctx, credentials.clientId, tokens, asked, refresh.rt);
}

/** POST /oauth/token: authorization_code (PKCE) and refresh_token; the JSON answer. */
export async function tokenEndpoint(
  ctx: ProxyContext,
  req: IncomingMessage,
): Promise<Record<string, unknown>> {
  let form: URLSearchParams;
  try {
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
    }
    form = new URLSearchParams(await readBody(req, MAX_FORM_BYTES));
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new OAuthError('invalid_request', error.message);
    throw error;
  }
  const credentials = clientCredentials(req, form);
  await authenticateClient(ctx, credentials);
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return authorizationCodeGrant(ctx, credentials, form);
  if (grantType === 'refresh_token') return refreshTokenGrant(ctx, credentials, form);
  throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
}
