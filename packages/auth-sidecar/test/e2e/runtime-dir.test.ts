// The runtime directory holds the sidecar's socket, log and locks. Its log must never be written
// through a link someone planted there, and a directory others could have planted things in is
// refused. The effects are checked on the files themselves.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensurePrivateDir, ensureSidecar, sidecarLogPath, sidecarSocketPath } from '../../src/index.js';
import { scratchDir, testSettings } from '../support/helpers.js';

const provider = { issuer: 'http://127.0.0.1:9', clientId: 'c', audience: 'https://api.example.com' };

function setup(t: import('node:test').TestContext) {
  const dir = scratchDir(t);
  const settings = testSettings(dir, provider, 'http://127.0.0.1:9/mcp');
  const env = { ...process.env };
  // Someone else's file the attacker wants the sidecar to write into.
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  return { dir, settings, env, victim, logPath: sidecarLogPath(settings, env) };
}

test('a symbolic link planted at the log path is refused; nothing is written through it', async (t) => {
  const { settings, env, victim, logPath } = setup(t);
  mkdirSync(settings.runtimeDir, { recursive: true, mode: 0o700 });
  symlinkSync(victim, logPath);
  await assert.rejects(ensureSidecar(settings, { env }), /is a symbolic link; refusing to write through it/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the link target is untouched');
  assert.equal(existsSync(sidecarSocketPath(settings, env)), false, 'no sidecar was started');
});

test('a hard link planted at the log path is refused', async (t) => {
  const { settings, env, victim, logPath } = setup(t);
  mkdirSync(settings.runtimeDir, { recursive: true, mode: 0o700 });
  linkSync(victim, logPath);
  await assert.rejects(ensureSidecar(settings, { env }), /not a plain file of yours with a single name/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(existsSync(sidecarSocketPath(settings, env)), false);
});

test('a runtime directory others can write to (or read) is refused, not tightened', async (t) => {
  for (const mode of [0o777, 0o1777, 0o755]) {
    const { settings, env, victim, logPath } = setup(t);
    mkdirSync(settings.runtimeDir, { recursive: true });
    chmodSync(settings.runtimeDir, mode);
    // What someone could have planted while the directory was open to them.
    symlinkSync(victim, logPath);
    await assert.rejects(
      ensureSidecar(settings, { env }),
      new RegExp(`has mode 0${(mode & 0o777).toString(8)}, not 0700.*chmod 700`),
    );
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(existsSync(sidecarSocketPath(settings, env)), false);
  }
});

test('other private directories: readable by others is tightened, writable by others is refused', async (t) => {
  const dir = scratchDir(t);
  const readable = join(dir, 'readable');
  mkdirSync(readable, { mode: 0o755 });
  chmodSync(readable, 0o755);
  await ensurePrivateDir(readable);
  const { statSync } = await import('node:fs');
  assert.equal(statSync(readable).mode & 0o777, 0o700);
  const writable = join(dir, 'writable');
  mkdirSync(writable);
  chmodSync(writable, 0o777);
  await assert.rejects(ensurePrivateDir(writable), /mode 0777, not 0700: others can write to it/);
  const notDir = join(dir, 'link');
  symlinkSync(readable, notDir);
  await assert.rejects(ensurePrivateDir(notDir), /is not a directory/);
});
