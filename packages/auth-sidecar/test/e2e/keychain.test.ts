// Runs against a real Secret Service: `scripts/with-keyring.sh npm test -- keychain` (CI runs all
// tests that way). The "unavailable" cases run child processes without a usable keychain.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDevOidc } from '@cnpg-mcp/devstack';
import {
  ensureSidecar,
  isSidecarError,
  KEYCHAIN_SERVICE,
  KeychainTokenStore,
  type KeychainUnavailableError,
  SidecarClient,
  startSidecar,
  storeNotice,
} from '../../src/index.js';
import {
  forwardError,
  loginThroughSidecar,
  scratchDir,
  startRemote,
  testSettings,
} from '../support/helpers.js';

function requireKeyring(): void {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    assert.fail('keychain tests need a Secret Service: run them under scripts/with-keyring.sh');
  }
}

/** What `secret-tool search --all service cnpg-mcp` shows (it prints attributes on stderr). */
function secretToolSearch(): string {
  const result = spawnSync('secret-tool', ['search', '--all', 'service', KEYCHAIN_SERVICE], {
    encoding: 'utf8',
  });
  return `${result.stdout}${result.stderr}`;
}

const identity = (suffix: string) => ({
  issuer: 'https://idp.example.com/',
  clientId: `client-${suffix}-${process.pid}`,
  audience: 'https://api.example.com',
});

test('keychain round trip is visible with secret-tool and holds no access token', async () => {
  requireKeyring();
  const store = new KeychainTokenStore(identity('roundtrip'));
  await store.save({
    refreshToken: 'rt-in-keychain',
    savedAt: new Date().toISOString(),
    user: { sub: 'u1' },
  });
  const listed = secretToolSearch();
  const account = `https://idp.example.com|client-roundtrip-${process.pid}|https://api.example.com`;
  assert.ok(listed.includes(`attribute.account = ${account}`), listed);
  assert.ok(
    listed.includes('attribute.service = cnpg-mcp'),
    "listed.includes('attribute.service = cnpg-mcp')",
  );
  assert.ok(listed.includes('rt-in-keychain'), "listed.includes('rt-in-keychain')");
  assert.ok(!/access_?token/i.test(listed), 'only the refresh token and metadata are stored');
  assert.ok(!listed.includes('probe:'), 'the capability probe cleans up after itself');
  assert.equal((await store.load())?.refreshToken, 'rt-in-keychain');
  await store.clear();
  assert.equal(await store.load(), undefined);
  assert.ok(!secretToolSearch().includes(account), '!secretToolSearch().includes(account)');
});

test('a login through the sidecar lands in the keychain', async (t) => {
  requireKeyring();
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const dir = scratchDir(t);
  const settings = testSettings(dir, oidc, remote.url, { tokenStore: 'keychain' });
  const sidecar = await startSidecar({ settings, log: () => {}, env: process.env });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  await loginThroughSidecar(client);
  const status = await client.status();
  assert.equal(status.store, 'keychain');
  assert.equal(status.loggedIn, true);
  assert.ok(
    secretToolSearch().includes(`attribute.account = ${oidc.issuer}|${oidc.clientId}|${oidc.audience}`),
    'the keychain holds an entry for this issuer, client and audience',
  );
  await client.logout();
  assert.ok(
    !secretToolSearch().includes(`attribute.account = ${oidc.issuer}|`),
    'no keychain entry for this issuer is left after logout',
  );
});

const storeModule = fileURLToPath(new URL('../../src/daemon/store/keychain-store.ts', import.meta.url));
const probeScript = `
  const { KeychainTokenStore } = await import(${JSON.stringify(storeModule)});
  try {
    await new KeychainTokenStore({ issuer: 'https://i.example', clientId: 'c' }).load();
    console.log(JSON.stringify({ ok: true }));
  } catch (error) {
    console.log(JSON.stringify({ problem: error.problem, message: error.message }));
  }
  process.exit(0); // a keychain call that never answers must not keep the probe alive`;

interface ProbeResult {
  ok?: boolean;
  problem?: string;
  message?: string;
  firstMs?: number;
  secondMs?: number;
  secondProblem?: string;
}

function runProbe(command: string[], env: NodeJS.ProcessEnv, script = probeScript): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command;
    const child = spawn(
      file ?? '',
      [...args, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
      {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', () => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`probe printed ${out}`));
      }
    });
  });
}

// Two loads against a frozen keychain; then the probe kills itself, because Node's normal exit
// would wait for the worker thread still stuck in the D-Bus call.
const hangScript = `
  const { KeychainTokenStore } = await import(${JSON.stringify(storeModule)});
  const store = new KeychainTokenStore({ issuer: 'https://i.example', clientId: 'c' });
  const timed = async () => {
    const started = Date.now();
    try {
      await store.load();
      return { ok: true, ms: Date.now() - started };
    } catch (error) {
      return { problem: error.problem, message: error.message, ms: Date.now() - started };
    }
  };
  const first = await timed();
  const second = await timed();
  console.log(JSON.stringify({ ...first, firstMs: first.ms, secondMs: second.ms, secondProblem: second.problem }));
  process.kill(process.pid, 'SIGKILL');`;

function withoutBus(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

test('no D-Bus session: the message says so and what to do', async () => {
  const result = await runProbe(['env'], withoutBus());
  assert.equal(result.problem, 'no-dbus');
  assert.match(result.message ?? '', /no D-Bus session bus/);
  assert.match(result.message ?? '', /CNPG_MCP_TOKEN_STORE=file/);
});

// A session bus that cannot activate any service (the distribution's bus would start gnome-keyring).
const BARE_SESSION_BUS = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>`;

test('a D-Bus session without a Secret Service: the message names the missing service', async (t) => {
  const config = join(scratchDir(t), 'bus.conf');
  writeFileSync(config, BARE_SESSION_BUS);
  const result = await runProbe(['dbus-run-session', `--config-file=${config}`, '--'], withoutBus());
  assert.equal(result.problem, 'no-secret-service');
  assert.match(result.message ?? '', /no Secret Service \(org\.freedesktop\.secrets\)/);
  assert.match(result.message ?? '', /gnome-keyring/);
});

test('a keychain that never answers is cut off by the timeout', async (t) => {
  // A private session whose Secret Service (gnome-keyring) is frozen with SIGSTOP: every call
  // to it hangs. The keyring process is killed when the probe is done.
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'run'), { mode: 0o700 });
  mkdirSync(join(dir, 'data'), { mode: 0o700 });
  const env = { ...withoutBus(), XDG_RUNTIME_DIR: join(dir, 'run'), XDG_DATA_HOME: join(dir, 'data') };
  const frozenSession =
    'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; ' +
    'secret-tool search service none >/dev/null 2>&1; ' +
    'pid=$(dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus ' +
    'org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk "/uint32/ {print \\$2}"); ' +
    'kill -STOP "$pid"; "$@"; rc=$?; kill -KILL "$pid"; exit $rc';
  const result = await runProbe(
    ['dbus-run-session', '--', 'bash', '-c', frozenSession, 'frozen'],
    env,
    hangScript,
  );
  assert.equal(result.problem, 'timeout', JSON.stringify(result));
  assert.match(result.message ?? '', /did not answer within 5000 ms/);
  assert.match(result.message ?? '', /CNPG_MCP_TOKEN_STORE=file/);
  assert.ok(
    (result.firstMs ?? 0) >= 5000 && (result.firstMs ?? 0) < 10_000,
    `first call took ${result.firstMs} ms`,
  );
  assert.equal(result.secondProblem, 'timeout');
  assert.ok((result.secondMs ?? 1e9) < 1000, 'later calls fail fast instead of stacking stuck threads');
});

test('a locked keyring: the message says to unlock it', async (t) => {
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'run'), { mode: 0o700 });
  mkdirSync(join(dir, 'data'), { mode: 0o700 });
  const env = { ...withoutBus(), XDG_RUNTIME_DIR: join(dir, 'run'), XDG_DATA_HOME: join(dir, 'data') };
  const lockedSession =
    'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; ' +
    'timeout 5 secret-tool lock --collection=login >/dev/null 2>&1; exec "$@"';
  const result = await runProbe(['dbus-run-session', '--', 'bash', '-c', lockedSession, 'locked'], env);
  assert.ok(result.problem === 'locked' || result.problem === 'timeout', JSON.stringify(result));
  assert.match(result.message ?? '', /locked/);
});

test('keytar missing or not built: the message says how to get it or to use the file store', async () => {
  const store = new KeychainTokenStore(identity('missing'), { keytarModule: 'keytar-that-was-never-built' });
  await assert.rejects(store.load(), (error: KeychainUnavailableError) => {
    assert.equal(error.problem, 'not-built');
    assert.match(error.message, /keytar\) could not be loaded/);
    assert.match(error.message, /libsecret-1-dev/);
    assert.match(error.message, /CNPG_MCP_TOKEN_STORE=file/);
    return true;
  });
});

test('a sidecar started without a D-Bus session reports the keychain problem to its callers', async (t) => {
  const dir = scratchDir(t);
  const settings = testSettings(
    dir,
    { issuer: 'http://127.0.0.1:9', clientId: 'c', audience: 'https://api.example.com' },
    'http://127.0.0.1:9/mcp',
    { tokenStore: 'keychain' },
  );
  const { pid, socketPath } = await ensureSidecar(settings, { env: withoutBus() });
  t.after(() => {
    process.kill(pid, 'SIGTERM');
  });
  const client = new SidecarClient(socketPath);
  t.after(() => client.close());
  const status = await client.status();
  assert.equal(status.store, 'keychain');
  assert.equal(status.loggedIn, false);
  assert.match(status.storeError ?? '', /no D-Bus session bus/);
  assert.match(storeNotice(status) ?? '', /token store cannot be used: .*CNPG_MCP_TOKEN_STORE=file/);
  const error = await forwardError(client);
  assert.equal(error.status, 503);
  assert.ok(
    isSidecarError(error, 'ERR_KEYCHAIN_UNAVAILABLE'),
    "isSidecarError(error, 'ERR_KEYCHAIN_UNAVAILABLE')",
  );
  assert.equal(error.body.problem, 'no-dbus');
});
