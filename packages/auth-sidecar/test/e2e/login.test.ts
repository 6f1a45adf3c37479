import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { test } from 'node:test';
import { approveDeviceCode, loginAsPerson, startDevOidc } from '@cnpg-mcp/devstack';
import { Agent, fetch as undiciFetch } from 'undici';
import { discoverProvider, SidecarClient, type SidecarError, startSidecar } from '../../src/index.js';
import {
  captureLog,
  credentials,
  expectLogin,
  loginThroughSidecar,
  scratchDir,
  startBrowserLogin,
  startDeviceLogin,
  startRemote,
  testSettings,
} from '../support/helpers.js';

async function setup(t: import('node:test').TestContext, overrides = {}) {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const dir = scratchDir(t);
  const settings = testSettings(dir, oidc, remote.url, overrides);
  const { log, lines } = captureLog();
  const sidecar = await startSidecar({ settings, log, hasDisplay: () => true });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  return { oidc, remote, settings, sidecar, client, lines, dir };
}

test('a person logs in with the browser flow; the remote sees their identity', async (t) => {
  const { oidc, client, remote, lines } = await setup(t);
  const before = await client.status();
  assert.equal(before.loggedIn, false);

  const start = await startBrowserLogin(client);
  const authorizationUrl = new URL(start.url);
  assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorizationUrl.searchParams.get('state'), "authorizationUrl.searchParams.get('state')");
  assert.ok(authorizationUrl.searchParams.get('nonce'), "authorizationUrl.searchParams.get('nonce')");
  assert.equal(authorizationUrl.searchParams.get('audience'), oidc.audience);
  assert.match(
    authorizationUrl.searchParams.get('redirect_uri') ?? '',
    /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
  );
  assert.deepEqual(await client.login('browser'), start, 'a second caller joins');
  assert.deepEqual((await client.status()).login, start, 'status shows the running login');

  const page = await loginAsPerson(start.url, credentials('alice'));
  assert.equal(page.status, 200);
  assert.match(page.body, /logged in as alice@example\.com/);
  assert.ok(new URL(page.callbackUrl).searchParams.get('iss'), 'the provider sends RFC 9207 iss');
  const outcome = expectLogin(await client.waitForLogin(start, { timeoutMs: 5000 }), 'logged_in');
  assert.equal(outcome.user?.email, 'alice@example.com');

  const status = await client.status();
  assert.equal(status.loggedIn, true);
  assert.equal(status.user?.sub, 'devstack|alice');
  assert.equal(status.store, 'file');
  assert.ok(
    Date.parse(status.accessTokenExpiresAt ?? '') > Date.now(),
    "Date.parse(status.accessTokenExpiresAt ?? '') > Date.now()",
  );

  const response = await client.fetch('http://x/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { sub: string }).sub, 'devstack|alice');
  assert.equal(oidc.tokenEndpointCalls().authorization_code, 1);

  const token = await client.token();
  assert.ok(!lines.join('\n').includes(token.access_token), 'the access token never reaches the log');
  assert.equal(remote.seen.length, 1);

  const late = await client.waitForLogin(start, { timeoutMs: 5000 });
  assert.equal(late.state, 'logged_in', 'a waiter arriving after the login finished learns how it ended');
  assert.equal((await client.status()).login, undefined);
});

test('a callback whose state does not match is rejected without a code exchange', async (t) => {
  const { oidc, client } = await setup(t);
  const start = await startBrowserLogin(client);
  const page = await loginAsPerson(start.url, credentials('alice'), {
    followCallback: false,
  });
  const forged = new URL(page.callbackUrl);
  forged.searchParams.set('state', 'attacker-state');
  const response = await fetch(forged);
  assert.equal(response.status, 400);
  assert.match(await response.text(), /state mismatch/);
  assert.equal(oidc.tokenEndpointCalls().authorization_code ?? 0, 0, 'the code was not exchanged');
  assert.equal((await client.status()).loggedIn, false);

  // The genuine callback still completes the login in progress.
  const genuine = await fetch(page.callbackUrl);
  assert.equal(genuine.status, 200);
  assert.equal((await client.waitForLogin(start, { timeoutMs: 5000 })).state, 'logged_in');
});

test('a busy callback port gives an error naming the port and the setting', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  const { client } = await setup(t, { callbackPort: port });
  await assert.rejects(client.login('browser'), (error: SidecarError) => {
    assert.equal(error.status, 409);
    assert.equal(error.code, 'ERR_CALLBACK_PORT_BUSY');
    assert.match(error.message, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(error.message, /callbackPort/);
    assert.match(error.message, /CNPG_MCP_CALLBACK_PORT/);
    return true;
  });
  assert.equal((await client.status()).login, undefined);
});

test('device flow: the person approves the code elsewhere', async (t) => {
  const { oidc, client } = await setup(t);
  const start = await startDeviceLogin(client);
  assert.ok(start.userCode, 'start.userCode');
  assert.ok(start.verificationUri, 'start.verificationUri');
  await approveDeviceCode(start.verificationUri, start.userCode, credentials('bob'));
  const outcome = expectLogin(await client.waitForLogin(start, { timeoutMs: 20_000 }), 'logged_in');
  assert.equal(outcome.user?.email, 'bob@example.com');
  assert.ok(
    (oidc.tokenEndpointCalls()['urn:ietf:params:oauth:grant-type:device_code'] ?? 0) >= 1,
    "(oidc.tokenEndpointCalls()['urn:ietf:params:oauth:grant-type:device_code'] ?? 0) >= 1",
  );
  const response = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' });
  assert.equal(((await response.json()) as { sub: string }).sub, 'devstack|bob');
});

test('auto mode picks the device flow where no display exists', async (t) => {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const dir = scratchDir(t);
  const settings = testSettings(dir, oidc, 'http://127.0.0.1:9/mcp');
  const sidecar = await startSidecar({ settings, log: () => {}, hasDisplay: () => false });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  assert.equal((await client.login('auto')).state, 'device');
});

test('paste fallback: the redirect URL from a browser on another machine completes the login', async (t) => {
  const { client } = await setup(t);
  const start = await startBrowserLogin(client);
  // The browser could not reach 127.0.0.1 (it runs elsewhere): the person copies the URL instead.
  const page = await loginAsPerson(start.url, credentials('alice'), {
    followCallback: false,
  });
  const wrong = new URL(page.callbackUrl);
  wrong.searchParams.set('state', 'other');
  const rejected = expectLogin(await client.pasteRedirectUrl(wrong.href), 'failed');
  assert.match(rejected.message, /state mismatch/);
  const outcome = expectLogin(await client.pasteRedirectUrl(page.callbackUrl), 'logged_in');
  assert.equal(outcome.user?.sub, 'devstack|alice');
  await assert.rejects(client.pasteRedirectUrl('not a url'), /no browser login is waiting|redirect URL/i);
});

test('logout revokes the refresh token at the provider, then deletes it', async (t) => {
  const { oidc, client, settings } = await setup(t);
  await loginThroughSidecar(client);
  const { FileTokenStore } = await import('../../src/index.js');
  const store = new FileTokenStore(settings.configDir, settings, () => {});
  const stored = await store.load();
  assert.ok(stored?.refreshToken, 'stored?.refreshToken');

  const result = await client.logout();
  assert.deepEqual(result, { revoked: true, hadLogin: true });
  assert.equal(await store.load(), undefined);
  assert.equal((await client.status()).loggedIn, false);

  const config = await (await import('@cnpg-mcp/devstack')).discoverDevClient(oidc);
  const oidcClient = await import('openid-client');
  await assert.rejects(
    oidcClient.refreshTokenGrant(config, stored.refreshToken, { audience: oidc.audience }),
    (error: { error?: string }) => error.error === 'invalid_grant',
  );
  await assert.rejects(client.token(), (error: SidecarError) => error.code === 'ERR_LOGIN_REQUIRED');
});

test('a login that nobody completes times out and frees the port', async (t) => {
  const { client } = await setup(t, { loginTimeoutSeconds: 1 });
  const start = await startBrowserLogin(client);
  const outcome = expectLogin(await client.waitForLogin(start, { timeoutMs: 5000 }), 'failed');
  assert.equal(outcome.code, 'ERR_LOGIN_TIMEOUT');
  assert.match(outcome.message, /before it expired \(after 1 s\)/);
  assert.equal((await client.status()).login, undefined);
  const port = Number(new URL(start.redirectUri).port);
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

test('RFC 8707 resource instead of audience is sent on authorize, token and refresh', async (t) => {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const settings = testSettings(scratchDir(t), oidc, remote.url, {
    audience: undefined,
    resource: oidc.audience,
  });
  assert.equal(settings.audience, undefined);
  const sidecar = await startSidecar({ settings, log: () => {}, env: {} });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  const start = await startBrowserLogin(client);
  const url = new URL(start.url);
  assert.equal(url.searchParams.get('resource'), oidc.audience);
  assert.equal(url.searchParams.get('audience'), null);
  await loginAsPerson(start.url, credentials('alice'));
  assert.equal((await client.waitForLogin(start, { timeoutMs: 5000 })).state, 'logged_in');
  remote.rejectNext(1); // forces a refresh: the refreshed token must still carry the API audience
  const response = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' });
  assert.equal(response.status, 200);
  assert.equal(oidc.tokenEndpointCalls().refresh_token, 1);
});

test('a callback with a different RFC 9207 iss is refused before any code exchange', async (t) => {
  const { oidc, client } = await setup(t);
  const start = await startBrowserLogin(client);
  const page = await loginAsPerson(start.url, credentials('alice'), {
    followCallback: false,
  });
  const mixedUp = new URL(page.callbackUrl);
  assert.equal(mixedUp.searchParams.get('iss'), oidc.issuer);
  mixedUp.searchParams.set('iss', 'https://other-issuer.example.com');
  const response = await fetch(mixedUp);
  assert.equal(response.status, 400);
  assert.match(await response.text(), /iss/);
  const outcome = expectLogin(await client.waitForLogin(start, { timeoutMs: 5000 }), 'failed');
  assert.equal(outcome.code, 'ERR_LOGIN_FAILED');
  assert.equal(oidc.tokenEndpointCalls().authorization_code ?? 0, 0);
});

test('a provider that does not advertise PKCE S256 is refused at discovery', async (t) => {
  const server = createHttpServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await assert.rejects(
    discoverProvider({ issuer, clientId: 'c', scopes: 'openid' }, undefined),
    /does not advertise PKCE S256/,
  );
});

test('bad API input gets a 400 naming the field', async (t) => {
  const { client, sidecar } = await setup(t);
  await assert.rejects(client.login('sideways' as 'auto'), (error: SidecarError) => {
    assert.equal(error.status, 400);
    assert.equal(error.code, 'ERR_INVALID_REQUEST');
    assert.match(error.message, /mode: Invalid option: expected one of "auto"\|"browser"\|"device"/);
    return true;
  });
  const raw = async (method: string, path: string, body?: string) => {
    const response = await undiciFetch(`http://x${path}`, {
      method,
      body,
      dispatcher: new Agent({ connect: { socketPath: sidecar.socketPath } }),
    });
    return {
      status: response.status,
      marker: response.headers.get('cnpg-mcp-error'),
      body: (await response.json()) as { code: string; message: string },
    };
  };
  const badWait = await raw('GET', '/login/wait?timeoutMs=soon');
  assert.equal(badWait.status, 400);
  assert.match(badWait.body.message, /timeoutMs: Invalid input: expected number/);
  const badJson = await raw('POST', '/login', '{ nope');
  assert.equal(badJson.status, 400);
  assert.equal(badJson.body.code, 'ERR_INVALID_REQUEST');
  assert.equal(badJson.marker, 'ERR_INVALID_REQUEST', 'the sidecar marks its own error answers');
  assert.match(badJson.body.message, /expected JSON/);
  const missingUrl = await raw('POST', '/login/paste', '{}');
  assert.match(missingUrl.body.message, /url: Invalid input: expected string/);
  assert.equal((await raw('GET', '/nothing')).status, 404);
  assert.equal((await raw('PUT', '/mcp', '{}')).status, 405);
});

test('asking for the device flow while a browser login waits replaces it', async (t) => {
  const { client } = await setup(t);
  const browser = await startBrowserLogin(client);
  assert.deepEqual(await client.login('auto'), browser, 'auto joins');
  const device = await startDeviceLogin(client);
  const callback = await fetch(browser.redirectUri).catch(() => undefined);
  assert.equal(callback, undefined, 'the browser login stopped listening');
  const replaced = expectLogin(await client.waitForLogin(browser, { timeoutMs: 1000 }), 'failed');
  assert.equal(replaced.code, 'ERR_LOGIN_CANCELLED');
  await approveDeviceCode(device.verificationUri, device.userCode, credentials('alice'));
  assert.equal((await client.waitForLogin(device, { timeoutMs: 20_000 })).state, 'logged_in');
});
