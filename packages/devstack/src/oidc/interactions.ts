import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBody } from './http-body.js';
import { consentPage, errorPage, loginPage } from './pages.js';
import { checkPassword } from './users.js';

const INTERACTION_PATH = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/;

export function isInteractionRequest(req: IncomingMessage): boolean {
  return INTERACTION_PATH.test(new URL(req.url ?? '/', 'http://x').pathname);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

/**
 * The provider's login and consent pages: a person submits a username and password, then
 * approves the requested scopes. Both finish through `interactionFinished`, exactly as a
 * production login UI would.
 */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const match = INTERACTION_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
  const action = match?.[2];
  try {
    const details = await provider.interactionDetails(req, res);
    const { uid, prompt, params } = details;
    const clientId = String(params.client_id ?? '');

    if (req.method === 'GET' && action === undefined) {
      if (prompt.name === 'login') return sendHtml(res, 200, loginPage(uid, clientId));
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const resourceScopes = Object.values(missing.missingResourceScopes ?? {}).flat();
      const audiences = Object.keys(missing.missingResourceScopes ?? {});
      return sendHtml(
        res,
        200,
        consentPage(uid, clientId, [...(missing.missingOIDCScope ?? []), ...resourceScopes], audiences),
      );
    }

    if (req.method === 'POST' && action === 'login') {
      const form = new URLSearchParams(await readBody(req));
      const user = checkPassword(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) return sendHtml(res, 401, loginPage(uid, clientId, 'Wrong username or password.'));
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (req.method === 'POST' && action === 'confirm') {
      await readBody(req);
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error('consent submitted without a logged-in session');
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) throw new Error('the grant of this interaction no longer exists');
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }

    sendHtml(res, 405, errorPage('method_not_allowed', `${req.method} is not supported here`));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    sendHtml(res, 400, errorPage('interaction_failed', message));
  }
}
