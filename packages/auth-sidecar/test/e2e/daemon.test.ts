import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type DevOidc, discoverDevClient, startDevOidc } from '@cnpg-mcp/devstack';
import * as oidcClient from 'openid-client';
import {
  ensureSidecar,
  FileTokenStore,
  type Settings,
  SidecarClient,
  sidecarLogPath,
  sidecarSocketPath,
} from '../../src/index.js';
import {
  forwardError,
  loginThroughSidecar,
  scratchDir,
  startRemote,
  testCertificates,
  testSettings,
} from '../support/helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a sidecar this test started (by its pid); it must be gone within 5 s of SIGTERM. */
async function stopSidecar(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 250 && alive(pid); i++) await sleep(20);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    assert.fail(`sidecar ${pid} ignored SIGTERM for 5 s`);
  }
}

async function fixture(t: import('node:test').TestContext) {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const dir = scratchDir(t);
  return { oidc, remote, dir };
}

const ensureModule = fileURLToPath(new URL('../../src/client/ensure.ts', import.meta.url));

/** ensureSidecar() in a separate process, as a second MCP host starting its stdio server would. */
function ensureInChild(settings: Settings): Promise<{ pid: number; started: boolean }> {
  const script = `
    const { ensureSidecar } = await import(${JSON.stringify(ensureModule)});
    const result = await ensureSidecar(JSON.parse(process.env.TEST_SETTINGS));
    console.log(JSON.stringify(result));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, TEST_SETTINGS: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`ensureSidecar child exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
    });
  });
}

test('concurrent ensureSidecar calls from several processes start exactly one detached sidecar', async (t) => {
  const { oidc, remote, dir } = await fixture(t);
  const settings = testSettings(dir, oidc, remote.url);
  const started = performance.now();
  const results = await Promise.all([
    ensureSidecar(settings),
    ensureSidecar(settings),
    ensureInChild(settings),
    ensureInChild(settings),
  ]);
  const pids = new Set(results.map((r) => r.pid));
  t.after(() => Promise.all([...pids].map(stopSidecar)));
  assert.equal(pids.size, 1, 'one sidecar process');
  assert.equal(results.filter((r) => r.started).length, 1, 'started once');
  t.diagnostic(
    `4 concurrent ensureSidecar calls (2 in other processes): ${Math.round(performance.now() - started)} ms`,
  );

  const socketPath = sidecarSocketPath(settings);
  assert.equal(statSync(socketPath).mode & 0o777, 0o600, 'socket is 0600');
  assert.equal(statSync(dirname(socketPath)).mode & 0o777, 0o700, 'its directory is 0700');

  const client = new SidecarClient(socketPath);
  t.after(() => client.close());
  await loginThroughSidecar(client);
  const response = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' });
  assert.equal(response.status, 200);
  const token = await client.token();
  const log = readFileSync(sidecarLogPath(settings), 'utf8');
  assert.match(log, /listening on/);
  assert.ok(!log.includes(token.access_token), 'tokens never reach the sidecar log');
  assert.equal(statSync(sidecarLogPath(settings)).mode & 0o777, 0o600);
});

async function assertGrantValid(oidc: DevOidc, settings: Settings): Promise<void> {
  const stored = await new FileTokenStore(settings.configDir, settings, () => {}).load();
  assert.ok(stored, 'a refresh token is stored');
  const config = await discoverDevClient(oidc);
  await oidcClient.refreshTokenGrant(config, stored.refreshToken, { audience: oidc.audience });
}

test('two sidecars refreshing at the same moment never reuse a rotated refresh token', async (t) => {
  const { oidc, remote, dir } = await fixture(t);
  const first = testSettings(dir, oidc, remote.url);
  // Same identity and token store, a different profile (remote URL): a separate sidecar process.
  const secondRemote = await startRemote(oidc);
  t.after(() => secondRemote.close());
  const second = testSettings(dir, oidc, secondRemote.url);
  assert.notEqual(sidecarSocketPath(first), sidecarSocketPath(second));

  const a = await ensureSidecar(first);
  t.after(() => stopSidecar(a.pid));
  const clientA = new SidecarClient(a.socketPath);
  t.after(() => clientA.close());
  await loginThroughSidecar(clientA);

  for (let round = 0; round < 3; round++) {
    // Fresh processes hold no access token: both refresh at once from the same stored refresh token.
    const [x, y] = await Promise.all([ensureSidecar(first), ensureSidecar(second)]);
    t.after(() => Promise.all([stopSidecar(x.pid), stopSidecar(y.pid)]));
    const clients = [new SidecarClient(x.socketPath), new SidecarClient(y.socketPath)];
    const before = oidc.tokenEndpointCalls().refresh_token ?? 0;
    const answers = await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 5 }, () => client.fetch('http://x/mcp', { method: 'POST', body: '{}' })),
      ),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(10).fill(200),
    );
    assert.ok(
      (oidc.tokenEndpointCalls().refresh_token ?? 0) - before <= 2,
      'at most one refresh per process',
    );
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([stopSidecar(x.pid), stopSidecar(y.pid)]);
  }
  await assertGrantValid(oidc, first);
});

test('the sidecar exits after the idle period and removes its socket', async (t) => {
  const { oidc, remote, dir } = await fixture(t);
  const settings = testSettings(dir, oidc, remote.url, { idleExitSeconds: 1 });
  const { pid, socketPath } = await ensureSidecar(settings);
  t.after(() => stopSidecar(pid));
  assert.ok(alive(pid), 'alive(pid)');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  assert.equal(alive(pid), false, 'exited when idle');
  assert.equal(existsSync(socketPath), false);
  const again = await ensureSidecar(settings);
  t.after(() => stopSidecar(again.pid));
  assert.equal(again.started, true, 'started again on demand');
});

test('NODE_EXTRA_CA_CERTS given to the sidecar process is trusted for an https remote', async (t) => {
  const { oidc, dir } = await fixture(t);
  const certs = testCertificates(dir);
  const remote = await startRemote(oidc, { key: certs.key, cert: certs.cert });
  t.after(() => remote.close());
  const trusting = testSettings(dir, oidc, remote.url);
  const withCa = await ensureSidecar(trusting, {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certs.caFile },
  });
  t.after(() => stopSidecar(withCa.pid));
  const client = new SidecarClient(withCa.socketPath);
  t.after(() => client.close());
  await loginThroughSidecar(client);
  const ok = await client.fetch('http://x/mcp', { method: 'POST', body: '{}' });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { sub: string }).sub, 'devstack|alice');

  // Same login (shared token store), another process without the CA: the remote is not trusted.
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const untrusting = testSettings(dir, oidc, remote.url, { runtimeDir: join(dir, 'run-no-ca') });
  const withoutCa = await ensureSidecar(untrusting, { env });
  t.after(() => stopSidecar(withoutCa.pid));
  const other = new SidecarClient(withoutCa.socketPath);
  t.after(() => other.close());
  const refused = await forwardError(other);
  assert.equal(refused.status, 502);
  assert.equal(refused.code, 'ERR_REMOTE_UNREACHABLE');
  assert.match(refused.message, /certificate/i);
});

test('SIGTERM stops the sidecar promptly even while an SSE stream is open', async (t) => {
  const { oidc, remote, dir } = await fixture(t);
  const settings = testSettings(dir, oidc, remote.url);
  const { pid, socketPath } = await ensureSidecar(settings);
  t.after(() => stopSidecar(pid));
  const client = new SidecarClient(socketPath);
  t.after(() => client.close());
  await loginThroughSidecar(client);
  const stream = await client.fetch('http://x/mcp', { headers: { accept: 'text/event-stream' } });
  assert.equal(stream.status, 200);
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  assert.equal(remote.openStreams(), 1);
  const started = Date.now();
  await stopSidecar(pid);
  assert.ok(Date.now() - started < 5000, 'Date.now() - started < 5000');
  await assert.rejects(
    (async () => {
      for (;;) if ((await reader.read()).done) throw new Error('stream ended');
    })(),
  );
  assert.equal(existsSync(socketPath), false, 'socket removed on exit');
});
