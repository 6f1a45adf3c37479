import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loginAsPerson } from '../../../../devstack/src/oidc/index.js';
import type { StackApi } from '../../../../devstack/src/stack.js';
import { connectClient, initializeMessage, postMcp } from '../../support/support.js';
import { freePort, startUrlOnlyStack, type UrlOnlyStack } from '../../support/url-only.js';

/**
 * A hostile colleague against the OAuth proxy, step by step over HTTP (the provider's pages are
 * driven as a person would). Each attack is checked by its effect: no code or token reaches the
 * attacker, and nothing can be written to Kubernetes with what they got.
 */
const REDIRECT = 'http://127.0.0.1:7777/callback';
const ATTACKER_REDIRECT = 'https://attacker.example/callback';

interface Registered {
  client_id: string;
  client_secret?: string;
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function register(api: StackApi, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${api.url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function registerPublic(api: StackApi, redirect = REDIRECT): Promise<Registered> {
  const response = await register(api, {
    client_name: 'Test client',
    redirect_uris: [redirect],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  assert.equal(response.status, 201);
  return (await response.json()) as Registered;
}

function authorizeUrl(
  api: StackApi,
  clientId: string,
  challenge: string,
  extra: Record<string, string> = {},
) {
  const url = new URL(`${api.url}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'client-state',
    scope: 'mcp:read mcp:write',
    resource: api.mcpUrl.href,
    ...extra,
  }).toString();
  return url;
}

const cookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');

interface ConsentPage {
  request: string;
  cookie: string;
  html: string;
}

async function openConsent(url: URL | string): Promise<ConsentPage> {
  const page = await fetch(url, { redirect: 'manual' });
  const html = await page.text();
  assert.equal(page.status, 200, html.slice(0, 300));
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(request, 'the consent page carries the sealed request');
  return { request, cookie: cookieOf(page), html };
}

async function submitConsent(
  api: StackApi,
  consent: ConsentPage,
  options: { decision?: string; cookie?: string; origin?: string } = {},
): Promise<Response> {
  return fetch(`${api.url}/oauth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.cookie === undefined
        ? { cookie: consent.cookie }
        : options.cookie
          ? { cookie: options.cookie }
          : {}),
      origin: options.origin ?? new URL(api.url).origin,
    },
    body: new URLSearchParams({ request: consent.request, decision: options.decision ?? 'allow' }).toString(),
  });
}

/** The whole browser part: consent, provider login, back through the callback; the client's redirect. */
async function browserPart(api: StackApi, url: URL, username = 'alice', callbackApi = api): Promise<URL> {
  const consent = await openConsent(url);
  const approved = await submitConsent(api, consent);
  assert.equal(approved.status, 303);
  const toProvider = approved.headers.get('location') ?? '';
  const { callbackUrl } = await loginAsPerson(
    toProvider,
    { username, password: `${username}-password` },
    { followCallback: false },
  );
  const back = await fetch(callbackUrl.replace(api.url, callbackApi.url), {
    redirect: 'manual',
    headers: { cookie: cookieOf(approved) },
  });
  assert.equal(back.status, 303, await back.text());
  return new URL(back.headers.get('location') ?? '');
}

function redeem(api: StackApi, params: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

async function clusterNames(env: UrlOnlyStack): Promise<string[]> {
  const list = (await env.stack.admin.custom.listNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: 'default',
    plural: 'clusters',
  })) as { items: { metadata: { name: string } }[] };
  return list.items.map((item) => item.metadata.name);
}

describe('OAuth proxy under attack', () => {
  let env: UrlOnlyStack;
  let api: StackApi;

  before(async () => {
    env = await startUrlOnlyStack('proxy', { env: { ALLOWED_ORIGINS: 'https://claude.ai' } });
    api = env.api;
  });
  after(() => env.close());

  test('the complete flow: token for this API, refresh with rotation, a real write', async () => {
    const client = await registerPublic(api);
    const { verifier, challenge } = pkce();
    const back = await browserPart(api, authorizeUrl(api, client.client_id, challenge));
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get('state'), 'client-state');
    assert.equal(back.searchParams.get('iss'), api.url, 'RFC 9207 iss');
    const tokens = (await (
      await redeem(api, {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        client_id: client.client_id,
        code_verifier: verifier,
        resource: api.mcpUrl.href,
      })
    ).json()) as { access_token: string; refresh_token: string; scope: string; token_type: string };
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.scope, 'mcp:read mcp:write');
    assert.ok(tokens.refresh_token, 'tokens.refresh_token');
    const refreshed = (await (
      await redeem(api, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: client.client_id,
      })
    ).json()) as { access_token: string; refresh_token: string };
    assert.ok(
      refreshed.access_token && refreshed.access_token !== tokens.access_token,
      'refreshed.access_token && refreshed.access_token !== tokens.access_token',
    );
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
    const reused = await redeem(api, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: client.client_id,
    });
    assert.equal(reused.status, 400, 'the provider refuses a rotated-away refresh token');
    const mcp = await connectClient(api, refreshed.access_token);
    const created = await mcp.callTool({
      name: 'cluster_create',
      arguments: { name: 'via-proxy', storage_size: '1Gi' },
    });
    assert.notEqual(
      created.isError,
      true,
      `${JSON.stringify(created.content)} ${api.logs.lines.filter((line) => line.includes('"error"')).join('\n')}`,
    );
    assert.ok(
      (await clusterNames(env)).includes('via-proxy'),
      "(await clusterNames(env)).includes('via-proxy')",
    );
    await mcp.close();
  });

  test('consent CSRF: a cross-site auto-submitted approval (no consent cookie) never reaches the provider', async () => {
    const victimPage = await openConsent(
      authorizeUrl(api, (await registerPublic(api)).client_id, pkce().challenge),
    );
    const withoutCookie = await submitConsent(api, victimPage, { cookie: '' });
    assert.equal(withoutCookie.status, 403);
    assert.equal(withoutCookie.headers.get('location'), null, 'no redirect to the provider');
    assert.equal(withoutCookie.headers.getSetCookie().length, 0, 'no login state started');
    const otherBrowser = await openConsent(
      authorizeUrl(api, (await registerPublic(api)).client_id, pkce().challenge),
    );
    const crossed = await submitConsent(api, victimPage, { cookie: otherBrowser.cookie });
    assert.equal(crossed.status, 403, "another browser's consent cookie does not approve this page");
    const fromAllowedSite = await submitConsent(api, victimPage, { origin: 'https://claude.ai' });
    assert.equal(
      fromAllowedSite.status,
      403,
      'only this server’s own page may approve, not a CORS-allowed site',
    );
    const fromEvil = await submitConsent(api, victimPage, { origin: 'https://evil.example' });
    assert.equal(fromEvil.status, 403);
    const forged = await submitConsent(api, {
      ...victimPage,
      request: `${victimPage.request.slice(0, -4)}AAAA`,
    });
    assert.equal(forged.status, 400, 'an altered sealed request is refused');
    assert.equal(forged.headers.get('location'), null);
  });

  test('a redirect URI that was not registered is never followed', async () => {
    const client = await registerPublic(api);
    const url = authorizeUrl(api, client.client_id, pkce().challenge, { redirect_uri: ATTACKER_REDIRECT });
    const page = await fetch(url, { redirect: 'manual' });
    assert.equal(page.status, 400);
    assert.equal(page.headers.get('location'), null);
    assert.match(await page.text(), /is not registered for Test client/);
    const refused = await register(api, { redirect_uris: ['http://attacker.example/callback'] });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_redirect_uri');
    const tampered = await fetch(authorizeUrl(api, `${client.client_id.slice(0, -3)}xyz`, pkce().challenge), {
      redirect: 'manual',
    });
    assert.equal(tampered.status, 400, 'a forged client id is unknown');
    assert.equal(tampered.headers.get('location'), null);
  });

  test('PKCE is required on the way in and checked on the way out; codes are single use and bound to their client', async () => {
    const client = await registerPublic(api);
    const noPkce = await fetch(authorizeUrl(api, client.client_id, '', { code_challenge: '' }), {
      redirect: 'manual',
    });
    assert.equal(noPkce.status, 303);
    assert.equal(new URL(noPkce.headers.get('location') ?? '').searchParams.get('error'), 'invalid_request');

    const { verifier, challenge } = pkce();
    const back = await browserPart(api, authorizeUrl(api, client.client_id, challenge));
    const code = back.searchParams.get('code') ?? '';
    const base = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
    };
    const stolen = await redeem(api, { ...base, code_verifier: pkce().verifier });
    assert.equal(stolen.status, 400, 'a stolen code without its verifier is worthless');
    assert.equal(((await stolen.json()) as { error: string }).error, 'invalid_grant');
    const other = await registerPublic(api);
    const otherClient = await redeem(api, { ...base, client_id: other.client_id, code_verifier: verifier });
    assert.equal(otherClient.status, 400);
    const wrongResource = await redeem(api, {
      ...base,
      code_verifier: verifier,
      resource: 'https://other.example/mcp',
    });
    assert.equal(((await wrongResource.json()) as { error: string }).error, 'invalid_target');
    const first = await redeem(api, { ...base, code_verifier: verifier });
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const replay = await redeem(api, { ...base, code_verifier: verifier });
    assert.equal(replay.status, 400, 'a code is redeemed once');
    const replayBody = (await replay.json()) as { access_token?: string; error: string };
    assert.equal(replayBody.access_token, undefined);
    const anonymousWrite = await postMcp(api, initializeMessage);
    assert.equal(anonymousWrite.status, 401);
    await anonymousWrite.body?.cancel();
  });

  test('the callback only completes in the browser that approved, with the matching state', async () => {
    const client = await registerPublic(api);
    const consent = await openConsent(authorizeUrl(api, client.client_id, pkce().challenge));
    const approved = await submitConsent(api, consent);
    const { callbackUrl } = await loginAsPerson(
      approved.headers.get('location') ?? '',
      { username: 'alice', password: 'alice-password' },
      { followCallback: false },
    );
    const elsewhere = await fetch(callbackUrl, { redirect: 'manual' });
    assert.equal(elsewhere.status, 400, 'no state cookie: another browser');
    assert.equal(elsewhere.headers.get('location'), null);
    const swapped = new URL(callbackUrl);
    swapped.searchParams.set('state', `${swapped.searchParams.get('state')?.slice(0, 16)}${'A'.repeat(27)}`);
    const mismatch = await fetch(swapped, { redirect: 'manual', headers: { cookie: cookieOf(approved) } });
    assert.equal(mismatch.status, 400, 'a state that is not this login’s');
    const ok = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: cookieOf(approved) } });
    assert.equal(ok.status, 303);
    assert.match(
      ok.headers.getSetCookie().join(';'),
      /cnpg-mcp-flow-[^=]+=;/,
      'the state cookie is cleared: single use',
    );
  });

  test('denying consent sends access_denied to the client and nothing to the provider', async () => {
    const client = await registerPublic(api);
    const consent = await openConsent(authorizeUrl(api, client.client_id, pkce().challenge));
    const denied = await submitConsent(api, consent, { decision: 'deny' });
    assert.equal(denied.status, 303);
    const location = new URL(denied.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, REDIRECT);
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'client-state');
  });

  test('a confidential client must authenticate; refresh tokens are bound to their client', async () => {
    const response = await register(api, { client_name: 'Web app', redirect_uris: [REDIRECT] });
    const client = (await response.json()) as Registered & { token_endpoint_auth_method: string };
    assert.equal(client.token_endpoint_auth_method, 'client_secret_basic', 'the RFC 7591 default');
    assert.ok(client.client_secret, 'client.client_secret');
    const { verifier, challenge } = pkce();
    const back = await browserPart(api, authorizeUrl(api, client.client_id, challenge));
    const params = {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    const noSecret = await redeem(api, { ...params, client_id: client.client_id });
    assert.equal(noSecret.status, 401);
    const wrongSecret = await redeem(api, { ...params, client_id: client.client_id, client_secret: 'guess' });
    assert.equal(wrongSecret.status, 401);
    const basic = Buffer.from(
      `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret ?? '')}`,
    ).toString('base64');
    const tokens = (await (await redeem(api, params, { authorization: `Basic ${basic}` })).json()) as {
      refresh_token: string;
    };
    assert.ok(tokens.refresh_token, 'tokens.refresh_token');
    const thief = await registerPublic(api);
    const stolen = await redeem(api, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: thief.client_id,
    });
    assert.equal(stolen.status, 400);
    assert.equal(((await stolen.json()) as { error: string }).error, 'invalid_grant');
  });

  test('a provider that cannot be reached gives the person a page saying so, not a redirect', async () => {
    const unreachable = await env.stack.startApi({
      env: {
        OAUTH_MODE: 'proxy',
        OAUTH_PROXY_CLIENT_ID: 'x',
        OAUTH_PROXY_KEYS: randomBytes(32).toString('base64url'),
        OIDC_ISSUER: 'http://127.0.0.1:9',
      },
    });
    const client = await registerPublic(unreachable);
    const page = await fetch(authorizeUrl(unreachable, client.client_id, pkce().challenge), {
      redirect: 'manual',
    });
    assert.equal(page.status, 503);
    assert.equal(page.headers.get('location'), null);
    assert.match(await page.text(), /the identity provider cannot be reached/);
  });

  test('stateless: each step on another replica with the same keys; a replica with other keys opens nothing', async () => {
    const replica = await env.startReplica();
    const client = await registerPublic(replica);
    const { verifier, challenge } = pkce();
    const publicResource = { resource: api.mcpUrl.href };
    const back = await browserPart(
      api,
      authorizeUrl(replica, client.client_id, challenge, publicResource),
      'bob',
      replica,
    );
    const tokens = await redeem(replica, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      code_verifier: verifier,
    });
    assert.equal(tokens.status, 200);
    await tokens.body?.cancel();
    const strangerPort = await freePort();
    const stranger = await env.stack.startApi({
      env: {
        OAUTH_MODE: 'proxy',
        OAUTH_PROXY_CLIENT_ID: 'x',
        OAUTH_PROXY_KEYS: randomBytes(32).toString('base64url'),
        PUBLIC_URL: api.url,
        PORT: String(strangerPort),
        ALLOWED_HOSTS: `127.0.0.1:${strangerPort}`,
      },
    });
    const unknown = await fetch(authorizeUrl(stranger, client.client_id, challenge, publicResource), {
      redirect: 'manual',
    });
    assert.equal(unknown.status, 400, 'a registration sealed with other keys is unknown');
    await unknown.body?.cancel();
  });
});
