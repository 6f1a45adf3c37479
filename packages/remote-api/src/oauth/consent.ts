import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { BodyTooLarge, readBody } from '../http/respond.js';
import { CONSENT_COOKIE, hashCookie, type PendingAuthorization } from './authorize.js';
import type { ProxyContext } from './context.js';
import { redirectToClient } from './errors.js';
import { errorPage, sendPage } from './pages.js';
import { SealError } from './sealed.js';

/** The login at the provider that the consent started, sealed into a cookie named after its state. */
export interface PendingLogin extends Omit<PendingAuthorization, 'x'> {
  /** upstream state, PKCE verifier and nonce */
  st: string;
  v: string;
  no: string;
}

export const FLOW_TTL_SECONDS = 600;
export const flowCookie = (state: string) => `cnpg-mcp-flow-${state.slice(0, 16)}`;
const MAX_FORM_BYTES = 16 * 1024;

function sameValue(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * POST /oauth/consent: only from this server's own page (Origin, and the consent cookie set with
 * the page, which a cross-site form post does not carry). Deny: back to the client with
 * access_denied. Allow: the state cookie is set now, then the browser goes to the provider.
 */
export async function handleConsent(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const refuse = (message: string) => sendPage(res, 403, errorPage('Cannot continue', message));
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== new URL(ctx.base).origin) {
    return refuse('The approval did not come from this server’s page.');
  }
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(await readBody(req, MAX_FORM_BYTES));
  } catch (error) {
    if (error instanceof BodyTooLarge) return refuse('The form is too large.');
    throw error;
  }
  let pending: PendingAuthorization;
  try {
    pending = await ctx.sealer.open<PendingAuthorization>('consent', form.get('request') ?? '');
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    return sendPage(
      res,
      400,
      errorPage(
        'Cannot continue',
        `This approval page is no longer valid (${error.message}); start again from your application.`,
      ),
    );
  }
  const cookie = ctx.cookies.read(req, CONSENT_COOKIE);
  if (!cookie || !sameValue(hashCookie(cookie), pending.x)) {
    return refuse(
      'This approval was not made on this server’s page in this browser; start again from your application.',
    );
  }
  const decision = form.get('decision');
  if (decision !== 'allow') {
    return redirectToClient(res, pending.r, {
      error: 'access_denied',
      error_description: 'the person denied access',
      state: pending.s,
      iss: ctx.base,
    });
  }
  const state = randomBytes(32).toString('base64url');
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = randomBytes(16).toString('base64url');
  const { x: _consentBinding, ...request } = pending;
  const login: PendingLogin = { ...request, st: state, v: verifier, no: nonce };
  const sealed = await ctx.sealer.seal('flow', login, FLOW_TTL_SECONDS);
  const target = await ctx.upstream.authorizationUrl({
    redirectUri: `${ctx.base}/oauth/callback`,
    state,
    nonce,
    codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
    scopes: pending.sc,
  });
  res.writeHead(303, {
    location: target.href,
    'cache-control': 'no-store',
    'set-cookie': ctx.cookies.set(flowCookie(state), sealed, FLOW_TTL_SECONDS),
  });
  res.end();
}
