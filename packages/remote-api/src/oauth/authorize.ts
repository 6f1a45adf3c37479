import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mcpResource } from '../auth/resource-metadata.js';
import { isLoopbackRedirect } from './clients.js';
import { checkResource, type ProxyContext, requestedScopes, resolveClient } from './context.js';
import { OAuthError, redirectToClient } from './errors.js';
import { consentPage, errorPage, sendPage } from './pages.js';

/** The authorization request as approved on the consent page (sealed into the page's form). */
export interface PendingAuthorization {
  /** client_id */
  c: string;
  /** redirect_uri */
  r: string;
  /** the client's state */
  s?: string;
  /** the client's PKCE challenge (S256) */
  cc: string;
  /** API scopes */
  sc: string[];
  /** hash of this browser's consent cookie */
  x: string;
}

export const CONSENT_COOKIE = 'cnpg-mcp-consent';
export const CONSENT_TTL_SECONDS = 600;
export const hashCookie = (value: string) => createHash('sha256').update(value).digest('base64url');
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * GET /oauth/authorize: checks the client and its redirect URI (errors stay on this server's page:
 * an unverified redirect URI is never followed), then the rest (errors go back to the client), then
 * shows the consent page. Nothing is sent to the provider before the person allows it.
 */
export async function handleAuthorize(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const params = new URL(req.url ?? '/', ctx.base).searchParams;
  const clientId = params.get('client_id');
  if (!clientId) {
    return sendPage(res, 400, errorPage('Cannot sign in', 'The application sent no client_id.'));
  }
  let client: Awaited<ReturnType<typeof resolveClient>>;
  try {
    client = await resolveClient(ctx, clientId);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return sendPage(
      res,
      400,
      errorPage('Cannot sign in', `The application is not valid here: ${error.message}`),
    );
  }
  const asked = params.get('redirect_uri');
  const redirectUri = asked ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return sendPage(
      res,
      400,
      errorPage(
        'Cannot sign in',
        asked
          ? `The redirect URI ${asked} is not registered for ${client.name}.`
          : `${client.name} must say which redirect_uri to use.`,
      ),
    );
  }
  const state = params.get('state') ?? undefined;
  try {
    if (params.get('response_type') !== 'code') {
      throw new OAuthError('unsupported_response_type', 'response_type must be code');
    }
    const challenge = params.get('code_challenge');
    if (!challenge || params.get('code_challenge_method') !== 'S256' || !PKCE_CHALLENGE.test(challenge)) {
      throw new OAuthError(
        'invalid_request',
        'PKCE is required: code_challenge (S256) and code_challenge_method=S256',
      );
    }
    const resources = params.getAll('resource');
    if (resources.length > 1) throw new OAuthError('invalid_target', 'one resource at most');
    checkResource(resources[0], ctx.base);
    const scopes = requestedScopes(params.get('scope') ?? undefined, ctx.config);

    const existing = ctx.cookies.read(req, CONSENT_COOKIE);
    const consentCookie =
      existing && existing.length >= 32 ? existing : randomBytes(32).toString('base64url');
    const pending: PendingAuthorization = {
      c: client.clientId,
      r: redirectUri,
      ...(state === undefined ? {} : { s: state }),
      cc: challenge,
      sc: scopes,
      x: hashCookie(consentCookie),
    };
    const sealedRequest = await ctx.sealer.seal('consent', pending, CONSENT_TTL_SECONDS);
    const { read } = ctx.config.scopes;
    const html = consentPage({
      clientName: client.name,
      clientIdentity:
        client.source === 'metadata-document'
          ? `identified by ${client.clientId}`
          : 'registered itself with this server (its name is its own claim)',
      redirectUri,
      redirectIsLocal: isLoopbackRedirect(redirectUri),
      scopes: scopes.map((name) => ({
        name,
        meaning:
          name === read
            ? 'see clusters, databases, roles, backups, logs and events you may see'
            : 'create, change and delete them where your cnpg-mcp permissions allow',
      })),
      resource: mcpResource(ctx.base),
      providerHost: new URL(ctx.config.oidc.issuer).host,
      sealedRequest,
    });
    const formTargets = [await ctx.upstream.authorizationOrigin(), new URL(redirectUri).origin];
    sendPage(
      res,
      200,
      html,
      { 'set-cookie': ctx.cookies.set(CONSENT_COOKIE, consentCookie, CONSENT_TTL_SECONDS) },
      formTargets,
    );
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    if (error.code === 'temporarily_unavailable') {
      return sendPage(res, 503, errorPage('Sign-in unavailable', error.message));
    }
    redirectToClient(res, redirectUri, {
      error: error.code,
      error_description: error.message,
      state,
      iss: ctx.base,
    });
  }
}
