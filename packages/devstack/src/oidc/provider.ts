import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration, errors } from 'oidc-provider';
import { readBody } from './http-body.js';
import { handleInteraction, isInteractionRequest } from './interactions.js';
import { MemoryStore } from './memory-store.js';
import { deviceConfirmPage, deviceInputPage, deviceSuccessPage, errorPage, logoutPage } from './pages.js';
import { findUserBySub } from './users.js';

export const DEFAULT_CLIENT_ID = 'cnpg-mcp';
export const DEFAULT_AUDIENCE = 'https://cnpg-mcp.local/api';
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:8888/callback';
export const API_RESOURCE_SCOPES = 'mcp:read mcp:write';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DevOidcOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Lifetime of a device authorization's codes (default 600 s). */
  deviceCodeTtlSeconds?: number;
  audience?: string;
  clientId?: string;
  /** Redirect URIs allowed in addition to http://127.0.0.1:8888/callback. */
  redirectUris?: string[];
  /**
   * Pass-through mode for URL-only MCP clients: dynamic client registration (RFC 7591) at
   * /reg, and RFC 8707 `resource` accepted for every API added with `addResourceServer`.
   */
  dynamicRegistration?: boolean;
}

/** A client registered by the tenant's administrator (what the Auth0 dashboard or setup-auth0 does). */
export interface DevClientRegistration {
  client_id: string;
  /** Set: a confidential web client (client_secret_post); unset: a public client. */
  client_secret?: string;
  redirect_uris: string[];
}

export interface DevOidc {
  readonly issuer: string;
  readonly clientId: string;
  readonly audience: string;
  /** A confidential client the API may use for RFC 7662 introspection. */
  readonly introspectionClient: { clientId: string; clientSecret: string };
  /** Token-endpoint requests received so far, by grant_type. */
  tokenEndpointCalls(): Record<string, number>;
  /** Registers a client, e.g. the remote API's own client in proxy mode (its callback is known once it listens). */
  addClient(client: DevClientRegistration): void;
  /**
   * Serves another API identifier, e.g. the remote's MCP URL for RFC 8707 clients: tokens asked
   * for it carry it as `aud`, with the API's scopes.
   */
  addResourceServer(identifier: string): void;
  /** Publishes a new signing key (new `kid`) and signs with it from now on. */
  rotateSigningKey(options?: { keepPrevious?: boolean }): Promise<string>;
  currentKid(): string;
  close(): Promise<void>;
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** Auth0 takes `audience`; RFC 8707 says `resource`. The provider understands the latter only. */
function audienceAsResource(params: URLSearchParams): boolean {
  const audience = params.get('audience');
  if (audience === null || params.has('resource')) return false;
  params.set('resource', audience);
  params.delete('audience');
  return true;
}

/**
 * Auth0 issues a refresh token whenever `offline_access` is requested; oidc-provider follows
 * OpenID Connect Core and drops that scope unless `prompt=consent` is sent. Adding the prompt
 * (a native client sees the consent page anyway) makes the provider behave like the tenant.
 */
function offlineAccessLikeAuth0(params: URLSearchParams): void {
  const scopes = (params.get('scope') ?? '').split(' ');
  if (scopes.includes('offline_access') && !params.has('prompt')) params.set('prompt', 'consent');
}

/**
 * A registering client may name the API's scopes (MCP clients copy `scopes_supported`). They belong
 * to the API, not to the client (as at Auth0), so they are taken out of the client's `scope`.
 */
function withoutApiScopes(body: string): string {
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return body;
  }
  if (typeof metadata.scope !== 'string') return body;
  const apiScopes = API_RESOURCE_SCOPES.split(' ');
  const kept = metadata.scope.split(' ').filter((scope) => scope && !apiScopes.includes(scope));
  if (kept.length === 0) delete metadata.scope;
  else metadata.scope = kept.join(' ');
  return JSON.stringify(metadata);
}

function replayWithBody(req: IncomingMessage, body: string): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

const FORM_ENDPOINTS = new Set(['/token', '/device/auth', '/auth', '/request']);

export async function startDevOidc(options: DevOidcOptions = {}): Promise<DevOidc> {
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 300;
  const refreshTokenTtl = options.refreshTokenTtlSeconds ?? 14 * 24 * 3600;
  const introspectionClient = {
    clientId: `${clientId}-api`,
    clientSecret: randomBytes(24).toString('base64url'),
  };
  const store = new MemoryStore();
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const calls: Record<string, number> = {};
  let keys: JWK[] = [await newSigningKey()];
  const registeredClients: DevClientRegistration[] = [];
  const resourceServers = new Set([audience]);

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration = (): Configuration => ({
    adapter: (model: string) => store.adapterFor(model),
    clients: [
      {
        client_id: clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
        response_types: ['code'],
        redirect_uris: [DEFAULT_REDIRECT_URI, ...(options.redirectUris ?? [])],
      },
      {
        client_id: introspectionClient.clientId,
        client_secret: introspectionClient.clientSecret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      ...registeredClients.map((client) => ({
        client_id: client.client_id,
        ...(client.client_secret
          ? { client_secret: client.client_secret, token_endpoint_auth_method: 'client_secret_post' as const }
          : { token_endpoint_auth_method: 'none' as const }),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code' as const],
        redirect_uris: client.redirect_uris,
      })),
    ],
    jwks: { keys },
    cookies: { keys: cookieKeys },
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    findAccount: async (_ctx, sub) => {
      const user = findUserBySub(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name,
          preferred_username: user.username,
          groups: [...user.groups],
        }),
      };
    },
    extraTokenClaims: async (_ctx, token) => {
      const user = 'accountId' in token && token.accountId ? findUserBySub(token.accountId) : undefined;
      if (!user) return undefined;
      return {
        email: user.email,
        email_verified: user.emailVerified,
        name: user.name,
        preferred_username: user.username,
        groups: [...user.groups],
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: options.dynamicRegistration ?? false },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx) => ctx.oidc.client?.clientId === introspectionClient.clientId,
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = deviceInputPage(form, err ? 'The code is wrong or has expired. Try again.' : undefined);
        },
        userCodeConfirmSource: async (ctx, form, client, _deviceInfo, userCode) => {
          ctx.body = deviceConfirmPage(form, client.clientId, userCode);
        },
        successSource: async (ctx) => {
          ctx.body = deviceSuccessPage();
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = errorPage('signed_out', 'You are signed out.');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined as unknown as string,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (!resourceServers.has(resourceIndicator)) {
            throw new errors.InvalidTarget(
              `unknown API audience ${resourceIndicator}; this provider serves ${[...resourceServers].join(', ')}`,
            );
          }
          return {
            audience: resourceIndicator,
            scope: API_RESOURCE_SCOPES,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    rotateRefreshToken: true,
    clientBasedCORS: () => false,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(
        String(out.error),
        out.error_description ? String(out.error_description) : undefined,
      );
    },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 600,
      DeviceCode: options.deviceCodeTtlSeconds ?? 600,
      Grant: refreshTokenTtl,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: refreshTokenTtl,
      Session: 14 * 24 * 3600,
    },
  });

  let provider = new Provider(issuer, configuration());

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      res.end(errorPage('server_error', error instanceof Error ? error.message : String(error)));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (isInteractionRequest(req)) return handleInteraction(provider, req, res);
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/auth') {
      audienceAsResource(url.searchParams);
      offlineAccessLikeAuth0(url.searchParams);
      req.url = `${url.pathname}?${url.searchParams}`;
    }
    let forwarded = req;
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (req.method === 'POST' && isForm && FORM_ENDPOINTS.has(url.pathname)) {
      const form = new URLSearchParams(await readBody(req));
      if (url.pathname === '/token') {
        const grantType = form.get('grant_type') ?? 'missing';
        calls[grantType] = (calls[grantType] ?? 0) + 1;
      }
      audienceAsResource(form);
      if (url.pathname === '/auth') offlineAccessLikeAuth0(form);
      forwarded = replayWithBody(req, form.toString());
    }
    if (req.method === 'POST' && url.pathname === '/reg') {
      forwarded = replayWithBody(req, withoutApiScopes(await readBody(req)));
    }
    provider.callback()(forwarded, res);
  }

  return {
    issuer,
    clientId,
    audience,
    introspectionClient,
    tokenEndpointCalls: () => ({ ...calls }),
    currentKid: () => String(keys[0]?.kid),
    addClient(client) {
      registeredClients.push(client);
      provider = new Provider(issuer, configuration());
    },
    addResourceServer(identifier) {
      resourceServers.add(identifier);
    },
    async rotateSigningKey({ keepPrevious = true } = {}) {
      const fresh = await newSigningKey();
      keys = keepPrevious ? [fresh, ...keys] : [fresh];
      provider = new Provider(issuer, configuration());
      return String(fresh.kid);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
