import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { serverInstructions, toolListForMcp } from '@cnpg-mcp/catalog';
import { explicitSettingsEnv, parseCommandLine, resolveServeFlags, UsageError } from '../../src/cli-args.js';
import { claudeDesktopConfigPath, writeClaudeDesktopEntry } from '../../src/commands/claude-desktop.js';
import { checkClaudeDesktop } from '../../src/commands/claude-desktop-check.js';
import { checkNode } from '../../src/commands/doctor.js';
import { commandLine, selfInvocation, shellQuote } from '../../src/self.js';
import {
  catalogLists,
  listCachePath,
  readListCache,
  sameList,
  writeListCache,
} from '../../src/serve/list-cache.js';

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('Claude Desktop config lives at the per-OS path', () => {
  const env = { HOME: '/home/p', APPDATA: 'C:\\Users\\p\\AppData\\Roaming', XDG_CONFIG_HOME: '/xdg' };
  assert.equal(
    claudeDesktopConfigPath(env, 'darwin'),
    '/home/p/Library/Application Support/Claude/claude_desktop_config.json',
  );
  assert.match(claudeDesktopConfigPath(env, 'win32'), /Roaming.Claude.claude_desktop_config\.json$/);
  assert.equal(claudeDesktopConfigPath(env, 'linux'), '/xdg/Claude/claude_desktop_config.json');
  assert.equal(
    claudeDesktopConfigPath({ HOME: '/h' }, 'linux'),
    '/h/.config/Claude/claude_desktop_config.json',
  );
});

test('a damaged Claude Desktop config is refused with what to do, and left untouched', async (t) => {
  const path = join(scratch(t), 'claude_desktop_config.json');
  writeFileSync(path, '{ "mcpServers": ');
  await assert.rejects(
    writeClaudeDesktopEntry(path, 'cnpg', { command: '/usr/bin/node', args: ['/x.js'] }),
    /is not valid JSON .* fix or move it/,
  );
  assert.equal(readFileSync(path, 'utf8'), '{ "mcpServers": ');
  writeFileSync(path, '{ "mcpServers": [] }');
  await assert.rejects(
    writeClaudeDesktopEntry(path, 'cnpg', { command: 'n', args: [] }),
    /"mcpServers" .* must be an object/,
  );
});

test('a new Claude Desktop config file is created with mode 0600', async (t) => {
  const path = join(scratch(t), 'Claude', 'claude_desktop_config.json');
  const { replaced } = await writeClaudeDesktopEntry(path, 'cnpg', {
    command: '/usr/bin/node',
    args: ['/x.js'],
  });
  assert.equal(replaced, false);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), {
    mcpServers: { cnpg: { command: '/usr/bin/node', args: ['/x.js'] } },
  });
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal((await writeClaudeDesktopEntry(path, 'cnpg', { command: 'n', args: [] })).replaced, true);
});

test('the list cache round-trips, ignores damaged files and compares lists regardless of order', async (t) => {
  const dir = scratch(t);
  const path = listCachePath(dir, 'https://cnpg.example.com/mcp');
  assert.notEqual(path, listCachePath(dir, 'https://other.example.com/mcp'), 'one cache per remote');
  assert.equal(await readListCache(path), undefined);
  const lists = catalogLists();
  assert.equal(lists.instructions, serverInstructions, 'offline, the remote API’s instructions');
  await writeListCache(path, lists);
  assert.deepEqual(await readListCache(path), lists);
  writeFileSync(path, '{"tools": "nope"}');
  assert.equal(await readListCache(path), undefined);
  writeFileSync(path, 'not json');
  assert.equal(await readListCache(path), undefined);

  const tools = toolListForMcp();
  assert.ok(sameList(tools, [...tools].reverse()), 'sameList(tools, [...tools].reverse())');
  assert.ok(!sameList(tools, tools.slice(1)), '!sameList(tools, tools.slice(1))');
  const changed = structuredClone(tools);
  if (changed[0]) changed[0].description = 'changed';
  assert.ok(!sameList(tools, changed), '!sameList(tools, changed)');
});

test('command lines: settings become flags, values are shell-quoted, npx installs say npx', () => {
  assert.equal(shellQuote('https://a.example/x'), 'https://a.example/x');
  assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
  const self = selfInvocation('/usr/local/bin/cnpg-mcp');
  assert.equal(self.display, 'cnpg-mcp');
  assert.equal(self.command, process.execPath);
  assert.equal(
    commandLine(self, 'login', { CNPG_MCP_ISSUER: 'https://t.auth0.com/', CNPG_MCP_CLIENT_ID: 'a b' }),
    "cnpg-mcp login --issuer https://t.auth0.com/ --client-id 'a b'",
  );
  const npx = selfInvocation('/home/p/.npm/_npx/abc/node_modules/cnpg-mcp/dist/bundle/bin/cnpg-mcp.js');
  assert.equal(npx.display, 'npx -y cnpg-mcp');
  assert.equal(npx.args[0], '-y');
  assert.match(npx.command, /npx(\.cmd)?$/);
});

test('command-line parsing: settings flags, explicit settings, serve options validated', () => {
  const args = parseCommandLine(['login', '--device', '--issuer', 'https://t/', '--callback-port', '9999']);
  assert.deepEqual(args.command, ['login']);
  assert.equal(args.device, true);
  assert.deepEqual(args.settingFlags, { issuer: 'https://t/', callbackPort: '9999' });
  assert.deepEqual(explicitSettingsEnv(args, { CNPG_MCP_CLIENT_ID: 'c', CNPG_MCP_REFRESH_TOKEN: 'secret' }), {
    CNPG_MCP_ISSUER: 'https://t/',
    CNPG_MCP_CLIENT_ID: 'c',
    CNPG_MCP_CALLBACK_PORT: '9999',
  });
  assert.throws(() => parseCommandLine(['--no-such-flag']), UsageError);
  assert.deepEqual(resolveServeFlags(parseCommandLine([]), {}), {
    loginMode: 'auto',
    loginWaitSeconds: 50,
    callTimeoutSeconds: 30,
    logLevel: 'warn',
  });
  assert.equal(resolveServeFlags(parseCommandLine(['--log-level', 'debug']), {}).logLevel, 'debug');
  assert.equal(
    resolveServeFlags(parseCommandLine([]), { CNPG_MCP_CALL_TIMEOUT_SECONDS: '5' }).callTimeoutSeconds,
    5,
  );
  assert.throws(
    () => resolveServeFlags(parseCommandLine(['--log-level', 'loud']), {}),
    /log level: expected "error"/,
  );
  assert.throws(
    () => resolveServeFlags(parseCommandLine([]), { CNPG_MCP_CALL_TIMEOUT_SECONDS: '0' }),
    /call timeout: expected whole seconds 1-3600/,
  );
  assert.deepEqual(
    resolveServeFlags(parseCommandLine([]), { CNPG_MCP_LOGIN_MODE: 'device' }).loginMode,
    'device',
  );
  assert.throws(() => resolveServeFlags(parseCommandLine(['--login-wait-seconds=-1']), {}), /login wait/);
  assert.throws(
    () => resolveServeFlags(parseCommandLine([]), { CNPG_MCP_LOGIN_WAIT_SECONDS: 'soon' }),
    /login wait/,
  );
});

test('doctor: the Node.js check names the minimum version', () => {
  assert.equal(checkNode('20.18.0').state, 'ok');
  assert.equal(checkNode('22.1.0').state, 'ok');
  const old = checkNode('20.11.1');
  assert.equal(old.state, 'fail');
  assert.match(old.fix ?? '', /20\.18/);
  assert.equal(checkNode('18.20.0').state, 'fail');
});

test('doctor: Claude Desktop entries that cannot start are flagged', (t) => {
  const home = scratch(t);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
  assert.equal(checkClaudeDesktop(env, 'linux').state, 'skip');
  const path = claudeDesktopConfigPath(env, 'linux');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ mcpServers: { cnpg: { command: 'npx', args: ['-y', 'cnpg-mcp'] } } }));
  const bare = checkClaudeDesktop(env, 'linux');
  assert.equal(bare.state, 'warn');
  assert.match(bare.detail, /runs "npx" by name/);
  assert.match(bare.fix ?? '', /config claude-desktop --write/);
  writeFileSync(
    path,
    JSON.stringify({ mcpServers: { cnpg: { command: process.execPath, args: ['/gone/cnpg-mcp.js'] } } }),
  );
  assert.match(checkClaudeDesktop(env, 'linux').detail, /\/gone\/cnpg-mcp\.js, which does not exist/);
  const script = join(home, 'cnpg-mcp.js');
  writeFileSync(script, '');
  writeFileSync(
    path,
    JSON.stringify({
      mcpServers: { cnpg: { command: process.execPath, args: [script] }, other: { command: 'x' } },
    }),
  );
  assert.equal(checkClaudeDesktop(env, 'linux').state, 'ok');
  writeFileSync(path, '{');
  assert.equal(checkClaudeDesktop(env, 'linux').state, 'fail');
});
