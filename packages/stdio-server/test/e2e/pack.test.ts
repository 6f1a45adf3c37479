import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loginAsPerson } from '@cnpg-mcp/devstack';
import { connectOverStdio, loginWithCli, packageDir, privateHome, runCli } from '../support/helpers.js';
import { credentials, startStack } from '../support/stack.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('the packed tarball installs into an empty directory and works end to end', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'cnpg-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  const packed = await run(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: packageDir,
    timeout: 120_000,
  });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(info, 'info');
  const paths = info.files.map((file) => file.path).sort();
  const chunks = paths.filter((path) => /^dist\/bundle\/chunks\/[\w-]+\.js$/.test(path));
  assert.ok(chunks.length > 0, 'the code loaded on the first call is in chunks');
  assert.deepEqual(
    paths.filter((path) => !chunks.includes(path)),
    ['README.md', 'bin/cnpg-mcp.js', 'dist/bundle/bin/cnpg-mcp.js', 'dist/bundle/daemon.js', 'package.json'],
  );

  const project = join(work, 'empty');
  const started = performance.now();
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefix', project, join(work, info.filename)], {
    timeout: 240_000,
  });
  t.diagnostic(`npm install of the tarball: ${Math.round(performance.now() - started)} ms`);
  const installed = join(project, 'node_modules', 'cnpg-mcp');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(manifest.dependencies, undefined, 'nothing unpublished is needed at run time');
  assert.ok(!existsSync(join(project, 'node_modules', '@cnpg-mcp')), 'no workspace package was installed');
  const bin = join(project, 'node_modules', '.bin', 'cnpg-mcp');
  assert.ok(existsSync(bin), 'existsSync(bin)');

  const stack = await startStack(t);
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv };
  const version = await runCli(bin, ['--version'], env);
  assert.equal(version.stdout.trim(), manifest.version);

  const login = await loginWithCli(bin, env, (url) => loginAsPerson(url, credentials('alice')));
  assert.equal(login.code, 0, login.stderr);
  const { client } = await connectOverStdio(t, bin, env);
  const whoami = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal((whoami.structuredContent as { email: string }).email, 'alice@example.com');
});
