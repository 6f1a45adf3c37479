import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RemoteApiConfig } from '../config.js';
import { BodyTooLarge, readBody, sendJson } from '../http/respond.js';
import type { Logger } from '../log.js';
import { handleAuthorize } from './authorize.js';
import { handleCallback } from './callback.js';
import { ClientMetadataDocuments } from './client-metadata-documents.js';
import { registerClient } from './clients.js';
import { handleConsent } from './consent.js';
import type { ProxyContext } from './context.js';
import { cookieJar } from './cookies.js';
import { OAuthError, sendOAuthError } from './errors.js';
import { AUTHORIZATION_SERVER_METADATA_PATH, authorizationServerMetadata } from './metadata.js';
import { errorPage, sendPage } from './pages.js';
import { Sealer } from './sealed.js';
import { tokenEndpoint } from './token.js';
import { UpstreamProvider } from './upstream.js';

/**
 * The remote API as the authorization server of its MCP clients (proxy mode), in front of a
 * provider such as Auth0 that offers neither registration nor RFC 8707 `resource`.
 */
export interface OAuthProxy {
  /** Handles the proxy's routes; false when the path is not one of them. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    corsHeaders: Record<string, string>,
  ): Promise<boolean>;
  close(): Promise<void>;
}

const MAX_REGISTRATION_BYTES = 16 * 1024;
export const OAUTH_PATHS = [
  AUTHORIZATION_SERVER_METADATA_PATH,
  '/oauth/register',
  '/oauth/authorize',
  '/oauth/consent',
  '/oauth/callback',
  '/oauth/token',
] as const;

export function createOAuthProxy(options: {
  config: RemoteApiConfig;
  base: string;
  log: Logger;
  checkAccessToken(token: string): Promise<void>;
}): OAuthProxy {
  const { config, base } = options;
  const proxy = config.authorization.proxy;
  if (!proxy) throw new Error('OAUTH_MODE=proxy without proxy settings');
  const documents = proxy.clientMetadataDocuments
    ? new ClientMetadataDocuments(proxy.allowPrivateAddresses)
    : undefined;
  const ctx: ProxyContext = {
    config,
    base,
    sealer: new Sealer(proxy.keys),
    documents,
    upstream: new UpstreamProvider(config.oidc.issuer, config.oidc.audience, proxy),
    cookies: cookieJar(base.startsWith('https:')),
    log: options.log,
    checkAccessToken: options.checkAccessToken,
  };

  const json = async (
    res: ServerResponse,
    corsHeaders: Record<string, string>,
    produce: () => Promise<{ status: number; body: unknown }>,
  ) => {
    try {
      const { status, body } = await produce();
      sendJson(res, status, body, corsHeaders);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      options.log.info('OAuth request refused', { error: error.code, description: error.message });
      sendOAuthError(res, error, corsHeaders);
    }
  };

  /** The browser steps: a failure they did not handle (the provider unreachable) is a page, not JSON. */
  const page = async (res: ServerResponse, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof OAuthError) || res.headersSent) throw error;
      options.log.warn('OAuth browser step failed', { error: error.code, description: error.message });
      sendPage(
        res,
        error.status,
        errorPage('Sign-in unavailable', `${error.message}. Try again in a moment.`),
      );
    }
  };

  return {
    async handle(req, res, path, corsHeaders) {
      const method = req.method ?? 'GET';
      const allow = (expected: string) => {
        if (method === expected || (expected === 'GET' && method === 'HEAD')) return true;
        sendJson(res, 405, { error: 'method_not_allowed' }, { allow: expected, ...corsHeaders });
        return false;
      };
      switch (path) {
        case AUTHORIZATION_SERVER_METADATA_PATH:
          if (allow('GET'))
            sendJson(res, 200, authorizationServerMetadata(config, base), {
              'cache-control': 'public, max-age=300',
              ...corsHeaders,
            });
          return true;
        case '/oauth/register':
          if (allow('POST'))
            await json(res, corsHeaders, async () => {
              let body: unknown;
              try {
                body = JSON.parse(await readBody(req, MAX_REGISTRATION_BYTES));
              } catch (error) {
                throw new OAuthError(
                  'invalid_client_metadata',
                  error instanceof BodyTooLarge ? error.message : 'the registration body is not JSON',
                );
              }
              return { status: 201, body: await registerClient(body, ctx.sealer) };
            });
          return true;
        case '/oauth/authorize':
          if (allow('GET')) await page(res, () => handleAuthorize(ctx, req, res));
          return true;
        case '/oauth/consent':
          if (allow('POST')) await page(res, () => handleConsent(ctx, req, res));
          return true;
        case '/oauth/callback':
          if (allow('GET')) await page(res, () => handleCallback(ctx, req, res));
          return true;
        case '/oauth/token':
          if (allow('POST'))
            await json(res, corsHeaders, async () => ({ status: 200, body: await tokenEndpoint(ctx, req) }));
          return true;
        default:
          return false;
      }
    },
    close: async () => {
      await documents?.close();
    },
  };
}
