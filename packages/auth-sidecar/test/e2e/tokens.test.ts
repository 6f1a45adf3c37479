import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { discoverDevClient, loginForTokens, startDevOidc } from '@cnpg-mcp/devstack';
import * as oidcClient from 'openid-client';
import {
  FileTokenStore,
  isSidecarError,
  SidecarClient,
  type SidecarError,
  startSidecar,
} from '../../src/index.js';
import {
  captureLog,
  expectLogin,
  loginThroughSidecar,
  scratchDir,
  startRemote,
  testSettings,
} from '../support/helpers.js';

async function providerAndRemote(t: import('node:test').TestContext) {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  return { oidc, remote };
}

test('headless: a refresh token file works with no browser and no keychain; rotations are written back', async (t) => {
  const { oidc, remote } = await providerAndRemote(t);
  const dir = scratchDir(t);
  const initial = await loginForTokens(oidc, { username: 'bob', audience: oidc.audience });
  assert.ok(initial.refresh_token, 'initial.refresh_token');
  const file = join(dir, 'refresh-token');
  writeFileSync(file, `${initial.refresh_token}\n`, { mode: 0o600 });
  // Keychain selected and no D-Bus in env: touching the keychain would fail loudly.
  const settings = testSettings(dir, oidc, remote.url, { tokenStore: 'keychain', refreshTokenFile: file });
  const { log, lines } = captureLog();
  const sidecar = await startSidecar({ settings, log, env: {}, hasDisplay: () => false });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());

  const status = await client.status();
  assert.equal(status.store, 'env');
  assert.equal(status.loggedIn, true);
  assert.equal(status.user, undefined, 'a bare refresh token does not say whose it is');
  const response = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' });
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { sub: string }).sub, 'devstack|bob');
  assert.deepEqual(
    (await client.status()).user,
    { sub: 'devstack|bob', email: 'bob@example.com', name: 'Bob Builder' },
    'after the first refresh status knows who is logged in',
  );
  const rotated = readFileSync(file, 'utf8').trim();
  assert.notEqual(rotated, initial.refresh_token, 'the rotated refresh token was written back');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(oidc.tokenEndpointCalls().authorization_code, 1, 'only the initial login, no browser login');
  assert.ok(!lines.join('\n').includes(rotated), "!lines.join('\\n').includes(rotated)");
});

test('status with identify tells whose a refresh-token file is, before any call', async (t) => {
  const { oidc, remote } = await providerAndRemote(t);
  const dir = scratchDir(t);
  const initial = await loginForTokens(oidc, { username: 'bob', audience: oidc.audience });
  const file = join(dir, 'refresh-token');
  writeFileSync(file, `${initial.refresh_token}\n`, { mode: 0o600 });
  const settings = testSettings(dir, oidc, remote.url, { refreshTokenFile: file });
  const sidecar = await startSidecar({ settings, log: () => {}, env: {}, hasDisplay: () => false });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  const status = await client.status({ identify: true });
  assert.equal(status.user?.sub, 'devstack|bob');
  assert.equal(status.user?.email, 'bob@example.com');
  assert.ok(status.accessTokenExpiresAt, 'it fetched an access token to learn it');
  assert.notEqual(readFileSync(file, 'utf8').trim(), initial.refresh_token, 'the rotation was written back');
  assert.equal(remote.seen.length, 0, 'the remote was not called');
});

test('headless: CNPG_MCP_REFRESH_TOKEN in the environment', async (t) => {
  const { oidc, remote } = await providerAndRemote(t);
  const dir = scratchDir(t);
  const initial = await loginForTokens(oidc, { username: 'alice', audience: oidc.audience });
  const settings = testSettings(dir, oidc, remote.url, { tokenStore: 'keychain' });
  const sidecar = await startSidecar({
    settings,
    log: () => {},
    env: { CNPG_MCP_REFRESH_TOKEN: initial.refresh_token ?? '' },
  });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  assert.equal((await client.token()).access_token.split('.').length, 3);
  assert.equal((await client.status()).store, 'env');
});

test('invalid_grant clears the stored token; the call gets the login the sidecar started for it', async (t) => {
  const { oidc, remote } = await providerAndRemote(t);
  const dir = scratchDir(t);
  const settings = testSettings(dir, oidc, remote.url);
  const sidecar = await startSidecar({ settings, log: () => {}, env: {}, hasDisplay: () => false });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  await loginThroughSidecar(client);
  const store = new FileTokenStore(settings.configDir, settings, () => {});
  const stored = await store.load();
  assert.ok(stored, 'stored');

  // The grant is revoked elsewhere (e.g. by an administrator), then the remote rejects the token.
  const config = await discoverDevClient(oidc);
  await oidcClient.tokenRevocation(config, stored.refreshToken, { token_type_hint: 'refresh_token' });
  remote.rejectNext(1);
  const seenBefore = remote.seen.length;
  const error = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' }).then(
    () => assert.fail('expected ERR_LOGIN_REQUIRED'),
    (e: unknown) => e,
  );
  assert.ok(isSidecarError(error, 'ERR_LOGIN_REQUIRED'), String(error));
  assert.equal(error.status, 401);
  assert.equal(error.body.reason, 'invalid_grant');
  assert.match(error.message, /invalid_grant.*cnpg-mcp login/);
  const login = expectLogin(error.body.login, 'device');
  assert.equal(remote.seen.length, seenBefore + 1, 'only the rejected attempt reached the remote');
  assert.equal(existsSync(store.location), false, 'the dead refresh token was deleted');
  const status = await client.status();
  assert.equal(status.loggedIn, false);
  assert.deepEqual(status.login, login, 'the login started for the call is the one that runs');
  await assert.rejects(client.token(), (e: SidecarError) => e.status === 401);
});
