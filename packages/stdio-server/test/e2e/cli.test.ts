import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loginAsPerson } from '@cnpg-mcp/devstack';
import { builtCli, loginWithCli, packageDir, privateHome, runCli } from '../support/helpers.js';
import { credentials, startStack } from '../support/stack.js';

test('login, status, token, logout and doctor from the command line against the real stack', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv };

  const before = await runCli(cli, ['status'], env);
  assert.equal(before.code, 1);
  assert.match(before.stdout, /Not logged in \(run `cnpg-mcp login`\)/);

  const login = await loginWithCli(cli, env, (url) => loginAsPerson(url, credentials('alice')));
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Logged in as .*<alice@example\.com>/);
  assert.match(login.stderr, /To log in, open this URL/);

  const status = await runCli(cli, ['status'], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Logged in as .*alice@example\.com/);
  assert.match(status.stdout, /Token store {2}file: \//);

  const token = await runCli(cli, ['token'], env);
  assert.equal(token.code, 0);
  assert.match(token.stdout.trim(), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT on stdout, nothing else');
  assert.match(token.stderr, /Warning: this access token lets anyone who holds it act as you/);
  const call = await fetch(stack.settingsEnv.CNPG_MCP_REMOTE_URL ?? '', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token.stdout.trim()}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(call.status, 200, 'the printed token works with curl-like clients');

  const doctor = await runCli(cli, ['doctor'], env);
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  for (const name of [
    'node',
    'config',
    'token store',
    'provider',
    'clock',
    'remote',
    'metadata',
    'sidecar',
    'login',
    'remote login',
  ]) {
    assert.match(doctor.stdout, new RegExp(`\\[ok  \\] ${name}`), `${name} checked:\n${doctor.stdout}`);
  }

  const logout = await runCli(cli, ['logout'], env);
  assert.equal(logout.code, 0, logout.stderr);
  assert.match(logout.stdout, /revoked at the provider/);
  assert.equal((await runCli(cli, ['status'], env)).code, 1);
  const token2 = await runCli(cli, ['token'], env);
  assert.equal(token2.code, 1);
  assert.match(token2.stderr, /login/);
  assert.equal(token2.stdout, '');
});

test('login --paste completes a browser login whose redirect could not reach this machine', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv };
  let pasted: Awaited<ReturnType<typeof runCli>> | undefined;
  const waiting = await loginWithCli(cli, env, async (url) => {
    // The browser ran elsewhere: the person copies the final 127.0.0.1 URL instead of loading it.
    const page = await loginAsPerson(url, credentials('bob'), { followCallback: false });
    pasted = await runCli(cli, ['login', '--paste', page.callbackUrl], env);
  });
  assert.equal(pasted?.code, 0, pasted?.stderr);
  assert.match(pasted?.stdout ?? '', /Logged in as .*<bob@example\.com>/);
  assert.equal(waiting.code, 0, waiting.stderr);
  assert.match((await runCli(cli, ['status'], env)).stdout, /bob@example\.com/);
});

test('doctor names what is wrong and how to fix it', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const unconfigured = await runCli(cli, ['doctor'], home.env);
  assert.equal(unconfigured.code, 1);
  assert.match(unconfigured.stdout, /\[FAIL\] config +Invalid cnpg-mcp settings/);
  assert.match(unconfigured.stdout, /setting issuer is required/);

  const stack = await startStack(t);
  const wrong = await runCli(cli, ['doctor'], {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_ISSUER: `${stack.oidc.issuer}/tenant`,
    CNPG_MCP_TOKEN_STORE: 'keychain',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /\[FAIL\] token store .*\n.*fix: .*CNPG_MCP_TOKEN_STORE=file/);
  assert.match(wrong.stdout, /\[FAIL\] provider .*HTTP 404/);
  assert.match(
    wrong.stdout,
    /\[WARN\] metadata .*names the provider http:\/\/127\.0\.0\.1:\d+, while the settings log in at http:\/\/127\.0\.0\.1:\d+\/tenant/,
  );
});

test('config claude-desktop prints an entry with absolute paths and merges it into the config file', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const { CNPG_MCP_IDLE_EXIT_SECONDS: _testOnly, ...personEnv } = home.env;
  const env: Record<string, string> = {
    ...personEnv,
    CNPG_MCP_ISSUER: 'https://tenant.example.auth0.com/',
    CNPG_MCP_CLIENT_ID: 'abc',
    CNPG_MCP_REMOTE_URL: 'https://cnpg.example.com/mcp',
  };
  const printed = await runCli(
    cli,
    ['config', 'claude-desktop', '--audience', 'https://cnpg.example.com/api'],
    env,
  );
  assert.equal(printed.code, 0, printed.stderr);
  const entry = JSON.parse(printed.stdout).mcpServers.cnpg;
  assert.equal(entry.command, process.execPath);
  assert.ok(
    entry.args[0].startsWith('/') && entry.args[0].endsWith('cnpg-mcp.js'),
    "entry.args[0].startsWith('/') && entry.args[0].endsWith('cnpg-mcp.js')",
  );
  assert.deepEqual(entry.args.slice(1), [
    '--issuer',
    'https://tenant.example.auth0.com/',
    '--client-id',
    'abc',
    '--audience',
    'https://cnpg.example.com/api',
    '--remote-url',
    'https://cnpg.example.com/mcp',
  ]);
  assert.equal(entry.env, undefined, 'the settings given are flags in the entry, as on a command line');

  const configPath = join(env.XDG_CONFIG_HOME ?? '', 'Claude', 'claude_desktop_config.json');
  mkdirSync(join(env.XDG_CONFIG_HOME ?? '', 'Claude'), { recursive: true });
  writeFileSync(configPath, JSON.stringify({ mcpServers: { other: { command: 'x' } }, theme: 'dark' }));
  const written = await runCli(cli, ['config', 'claude-desktop', '--write', '--npx'], env);
  assert.equal(written.code, 0, written.stderr);
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  assert.equal(config.theme, 'dark');
  assert.deepEqual(config.mcpServers.other, { command: 'x' });
  assert.match(config.mcpServers.cnpg.command, /\/npx$/);
  assert.deepEqual(config.mcpServers.cnpg.args.slice(0, 1), ['-y']);
  assert.match(config.mcpServers.cnpg.args[1], /^cnpg-mcp@\d+\.\d+\.\d+/);
  assert.ok(readFileSync(`${configPath}.bak`, 'utf8').includes('"other"'), 'the old file is kept');
});

test('--version, --help and usage errors', async () => {
  const cli = await builtCli();
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  assert.equal((await runCli(cli, ['--version'], {})).stdout.trim(), pkg.version);
  const help = await runCli(cli, ['--help'], {});
  for (const word of [
    'login',
    'logout',
    'status',
    'token',
    'doctor',
    'config claude-desktop',
    '--remote-url',
  ]) {
    assert.ok(help.stdout.includes(word), word);
  }
  const bad = await runCli(cli, ['frobnicate'], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const badFlag = await runCli(cli, ['--login-mode', 'telepathy'], {});
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /login mode: expected "auto", "browser" or "device"/);
});
