import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flowCookie, type PendingLogin } from './consent.js';
import type { ProxyContext } from './context.js';
import { redirectToClient } from './errors.js';
import { errorPage, sendPage } from './pages.js';
import { SealError } from './sealed.js';

/** The authorization code the proxy gives its client: the provider's code and what redeems it, sealed. */
export interface ProxyCode extends PendingLogin {
  /** the provider's code and `iss` (RFC 9207) as they came back */
  uc: string;
  ui?: string;
}

export const CODE_TTL_SECONDS = 120;
const PASSED_THROUGH_ERRORS = new Set(['access_denied', 'temporarily_unavailable']);

/**
 * GET /oauth/callback: the provider sends the browser back. The state must match the state cookie
 * set when the person allowed this client (single use: the cookie is cleared). The provider's code
 * is not redeemed here but sealed into this server's code, so the provider's single-use rule makes
 * ours single use without any shared store.
 */
export async function handleCallback(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const params = new URL(req.url ?? '/', ctx.base).searchParams;
  const state = params.get('state');
  const stop = (message: string) => sendPage(res, 400, errorPage('Sign-in did not complete', message));
  if (!state) return stop('The identity provider sent no state.');
  const cookieName = flowCookie(state);
  const sealed = ctx.cookies.read(req, cookieName);
  if (!sealed) {
    return stop(
      'This sign-in was started in another browser, was already used, or has expired; start again from your application.',
    );
  }
  let login: PendingLogin;
  try {
    login = await ctx.sealer.open<PendingLogin>('flow', sealed);
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    return stop(`This sign-in is no longer valid (${error.message}); start again from your application.`);
  }
  const expected = Buffer.from(login.st);
  const given = Buffer.from(state);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return stop('The state does not match this sign-in; start again from your application.');
  }
  res.setHeader('set-cookie', ctx.cookies.clear(cookieName));
  const upstreamError = params.get('error');
  if (upstreamError) {
    ctx.log.info('the identity provider refused the login', { error: upstreamError });
    return redirectToClient(res, login.r, {
      error: PASSED_THROUGH_ERRORS.has(upstreamError) ? upstreamError : 'server_error',
      error_description: `the identity provider answered ${upstreamError}${
        params.get('error_description') ? `: ${params.get('error_description')}` : ''
      }`,
      state: login.s,
      iss: ctx.base,
    });
  }
  const upstreamCode = params.get('code');
  if (!upstreamCode) return stop('The identity provider sent neither a code nor an error.');
  const iss = params.get('iss');
  const code: ProxyCode = { ...login, uc: upstreamCode, ...(iss ? { ui: iss } : {}) };
  redirectToClient(res, login.r, {
    code: await ctx.sealer.seal('code', code, CODE_TTL_SECONDS),
    state: login.s,
    iss: ctx.base,
  });
}
