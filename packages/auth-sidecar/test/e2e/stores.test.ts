import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { keychainValue } from '../../src/daemon/store/keychain-store.js';
import { acquireLock, EnvTokenStore, FileTokenStore } from '../../src/index.js';
import { scratchDir } from '../support/helpers.js';

const identity = {
  issuer: 'https://idp.example.com/',
  clientId: 'client',
  audience: 'https://api.example.com',
};

test('file store: 0600 file in a 0700 directory, written atomically, announced', async (t) => {
  const dir = scratchDir(t);
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { mode: 0o755 });
  const announced: string[] = [];
  const store = new FileTokenStore(configDir, identity, (line) => announced.push(line));
  assert.equal(announced.length, 1);
  assert.match(announced[0] ?? '', /token store is a FILE \(CNPG_MCP_TOKEN_STORE=file\)/);
  assert.ok(announced[0]?.includes(store.location), 'announced[0]?.includes(store.location)');
  assert.equal(await store.load(), undefined);

  await store.save({ refreshToken: 'rt-1', savedAt: new Date().toISOString(), user: { sub: 'u1' } });
  const credentialsDir = join(configDir, 'credentials');
  assert.equal(statSync(credentialsDir).mode & 0o777, 0o700);
  assert.equal(statSync(store.location).mode & 0o777, 0o600);
  assert.equal((await store.load())?.refreshToken, 'rt-1');
  assert.equal((await store.load())?.user?.sub, 'u1');

  await store.save({ refreshToken: 'rt-2', savedAt: new Date().toISOString() });
  assert.deepEqual(readdirSync(credentialsDir), [store.location.split('/').at(-1)], 'no temp files left');
  assert.equal((await store.load())?.refreshToken, 'rt-2');

  chmodSync(store.location, 0o644);
  chmodSync(credentialsDir, 0o755);
  await store.load();
  assert.equal(statSync(store.location).mode & 0o777, 0o600, 'loosened file mode is repaired');
  await store.save({ refreshToken: 'rt-3', savedAt: new Date().toISOString() });
  assert.equal(statSync(credentialsDir).mode & 0o777, 0o700, 'loosened directory mode is repaired');

  const other = new FileTokenStore(
    configDir,
    { ...identity, audience: 'https://other.example.com' },
    () => {},
  );
  assert.equal(await other.load(), undefined, 'one entry per (issuer, client, audience)');

  await store.clear();
  assert.equal(await store.load(), undefined);
  await store.clear();
});

test('env store: token file is re-read on every load and rotated tokens are written back (0600)', async (t) => {
  const dir = scratchDir(t);
  const file = join(dir, 'rt');
  writeFileSync(file, 'rt-original\n', { mode: 0o600 });
  const store = new EnvTokenStore(undefined, file);
  assert.equal((await store.load())?.refreshToken, 'rt-original');
  await store.save({ refreshToken: 'rt-rotated', savedAt: new Date().toISOString() });
  assert.equal(readFileSync(file, 'utf8'), 'rt-rotated\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  writeFileSync(file, 'rt-from-another-process\n');
  assert.equal((await store.load())?.refreshToken, 'rt-from-another-process');
  await store.clear();
  assert.equal(await store.load(), undefined);
  assert.equal(readFileSync(file, 'utf8'), 'rt-from-another-process\n', "the user's file is never deleted");

  const memory = new EnvTokenStore('rt-env', undefined);
  assert.equal((await memory.load())?.refreshToken, 'rt-env');
  await memory.save({ refreshToken: 'rt-env-2', savedAt: new Date().toISOString() });
  assert.equal((await memory.load())?.refreshToken, 'rt-env-2');
  assert.equal(memory.location, 'environment CNPG_MCP_REFRESH_TOKEN');
});

test('lock: waits for the holder, and breaks a lock left by a dead process', async (t) => {
  const dir = scratchDir(t);
  const path = join(dir, 'x.lock');
  const first = await acquireLock(path);
  let secondAcquired = false;
  const second = acquireLock(path).then((handle) => {
    secondAcquired = true;
    return handle;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(secondAcquired, false);
  await first.release();
  await (await second).release();

  const dead = spawn(process.execPath, ['-e', '']);
  const deadPid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid ?? 0)));
  writeFileSync(path, JSON.stringify({ pid: deadPid, token: 'abandoned' }));
  const started = Date.now();
  const recovered = await acquireLock(path, { waitMs: 2000 });
  assert.ok(Date.now() - started < 2000, 'Date.now() - started < 2000');
  await recovered.release();

  const held = await acquireLock(path);
  await assert.rejects(acquireLock(path, { waitMs: 200 }), new RegExp(`held by pid ${process.pid}`));
  await held.release();
});

test('lock: excludes concurrent processes (read-modify-write of a counter never loses an update)', async (t) => {
  const dir = scratchDir(t);
  const counter = join(dir, 'counter');
  writeFileSync(counter, '0');
  const lockModule = fileURLToPath(new URL('../../src/lock.ts', import.meta.url));
  const script = `
    import { readFileSync, writeFileSync } from 'node:fs';
    const { withLock } = await import(${JSON.stringify(lockModule)});
    for (let i = 0; i < 25; i++) {
      await withLock(${JSON.stringify(join(dir, 'c.lock'))}, async () => {
        const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8'));
        await new Promise((r) => setTimeout(r, 1));
        writeFileSync(${JSON.stringify(counter)}, String(n + 1));
      });
    }`;
  const runs = Array.from(
    { length: 4 },
    () =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          stdio: 'inherit',
        });
        child.on('exit', (code) => resolve(code ?? 1));
      }),
  );
  assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
  assert.equal(readFileSync(counter, 'utf8'), '100');
});

test('keychain value: metadata is dropped when a long refresh token would not fit Windows limits', () => {
  const user = { sub: 'devstack|alice', email: 'alice@example.com', name: 'Alice Liddell' };
  const short = JSON.parse(keychainValue({ refreshToken: 'r'.repeat(100), savedAt: 'now', user }));
  assert.deepEqual(short.user, user);
  const longToken = 'r'.repeat(1180);
  const long = JSON.parse(keychainValue({ refreshToken: longToken, savedAt: 'now', user, scope: 'openid' }));
  assert.deepEqual(long, { refreshToken: longToken, savedAt: 'now' });
});
