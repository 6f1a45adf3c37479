// What a forwarded call that needs a login gets, and what the sidecar a client uses is: a device
// code the provider no longer accepts is never handed out again; clients configured for another
// token store never share a sidecar; sidecars started for one-shot commands do not linger.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { approveDeviceCode, denyDeviceCode, startDevOidc } from '@cnpg-mcp/devstack';
import {
  ensureSidecar,
  isSidecarError,
  type LoginAnswer,
  ONE_SHOT_IDLE_SECONDS,
  SidecarClient,
  sidecarSocketPath,
  startSidecar,
} from '../../src/index.js';
import {
  credentials,
  expectLogin,
  forwardError,
  scratchDir,
  startRemote,
  testSettings,
} from '../support/helpers.js';

async function headless(t: import('node:test').TestContext, deviceCodeTtlSeconds?: number) {
  const oidc = await startDevOidc({ deviceCodeTtlSeconds });
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const settings = testSettings(scratchDir(t), oidc, remote.url);
  const sidecar = await startSidecar({ settings, log: () => {}, env: {}, hasDisplay: () => false });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  return { oidc, remote, client };
}

/** The device login a forwarded call was answered with. */
async function deviceLoginForCall(client: SidecarClient) {
  const error = await forwardError(client);
  assert.ok(isSidecarError(error, 'ERR_LOGIN_REQUIRED'), String(error));
  return expectLogin(error.body.login, 'device');
}

async function finalAnswer(client: SidecarClient, login: Parameters<SidecarClient['waitForLogin']>[0]) {
  const answer: LoginAnswer = await client.waitForLogin(login, { timeoutMs: 15_000 });
  assert.ok(answer.state === 'logged_in' || answer.state === 'failed', `the login ended: ${answer.state}`);
  return answer;
}

test('a device code the provider let expire is dropped; the next call gets a fresh one that works', async (t) => {
  // Longer than one poll (5 s), so the fresh code can be approved in time.
  const { remote, client } = await headless(t, 7);
  const first = await deviceLoginForCall(client);
  assert.ok(
    Date.parse(first.expiresAt) <= Date.now() + 7000,
    'the code is offered only as long as the provider keeps it',
  );
  const ended = expectLogin(await finalAnswer(client, first), 'failed');
  assert.equal(ended.code, 'ERR_LOGIN_TIMEOUT');
  assert.equal((await client.status()).login, undefined, 'the expired code is not offered any more');
  await assert.rejects(approveDeviceCode(first.verificationUri, first.userCode, credentials('alice')));

  const second = await deviceLoginForCall(client);
  assert.notEqual(second.userCode, first.userCode, 'a fresh code');
  await approveDeviceCode(second.verificationUri, second.userCode, credentials('alice'));
  const done = await finalAnswer(client, second);
  assert.equal(done.state, 'logged_in', JSON.stringify(done));
  const response = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' });
  assert.equal(((await response.json()) as { sub: string }).sub, 'devstack|alice');
  assert.equal(remote.seen.length, 1, 'only the call after the login reached the remote');
});

test('a device code the person denied is dropped at once; the next call gets a fresh one', async (t) => {
  const { client } = await headless(t);
  const first = await deviceLoginForCall(client);
  assert.deepEqual(await deviceLoginForCall(client), first, 'calls meanwhile share the one login');
  await denyDeviceCode(first.verificationUri, first.userCode);
  const ended = expectLogin(await finalAnswer(client, first), 'failed');
  assert.equal(ended.code, 'ERR_LOGIN_FAILED');
  assert.match(ended.message, /access_denied/);
  const second = await deviceLoginForCall(client);
  assert.notEqual(second.userCode, first.userCode);
  assert.notEqual(second.id, first.id);
});

test('clients configured for different token stores never share a sidecar', async (t) => {
  const dir = scratchDir(t);
  const provider = { issuer: 'http://127.0.0.1:9', clientId: 'c', audience: 'https://api.example.com' };
  const keychain = testSettings(dir, provider, 'http://127.0.0.1:9/mcp', { tokenStore: 'keychain' });
  const file = { ...keychain, tokenStore: 'file' as const };
  const env = {};
  assert.notEqual(sidecarSocketPath(keychain, env), sidecarSocketPath(file, env));
  assert.notEqual(
    sidecarSocketPath(keychain, env),
    sidecarSocketPath(keychain, { CNPG_MCP_REFRESH_TOKEN: 'x' }),
    'a refresh token in the environment is another store too',
  );

  // A sidecar keeping tokens in a file answers where the keychain client looks (started by hand):
  // the keychain client refuses it instead of silently storing its login in a file.
  const misplaced = await startSidecar({
    settings: file,
    env,
    log: () => {},
    socketPath: sidecarSocketPath(keychain, env),
  });
  t.after(() => misplaced.close());
  await assert.rejects(
    ensureSidecar(keychain, { env }),
    /was started with other settings \(store: it has file, expected keychain\).*kill \d+/,
  );
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a sidecar started for a one-shot command exits soon unless a call comes', async (t) => {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const settings = () => testSettings(scratchDir(t), oidc, remote.url, { idleExitSeconds: 900 });
  const idle = await ensureSidecar(settings(), { oneShot: true });
  const used = await ensureSidecar(settings(), { oneShot: true });
  t.after(() => {
    for (const { pid } of [idle, used]) if (alive(pid)) process.kill(pid, 'SIGTERM');
  });
  assert.ok(idle.started && used.started, 'idle.started && used.started');
  // An MCP session starts using the second one: it keeps the normal idle time from then on.
  const client = new SidecarClient(used.socketPath);
  t.after(() => client.close());
  await forwardError(client);
  for (let i = 0; i < (ONE_SHOT_IDLE_SECONDS + 20) * 10 && alive(idle.pid); i++) await sleep(100);
  assert.equal(alive(idle.pid), false, `the one-shot sidecar exited after about ${ONE_SHOT_IDLE_SECONDS} s`);
  assert.equal(alive(used.pid), true, 'the one an MCP session uses stays');
});
