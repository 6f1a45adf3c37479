import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultRuntimeDir, envName, flagName, loadSettings, SettingsError } from '../../src/index.js';
import { scratchDir } from '../support/helpers.js';

const base = {
  CNPG_MCP_ISSUER: 'https://tenant.example.auth0.com/',
  CNPG_MCP_CLIENT_ID: 'abc123',
  CNPG_MCP_REMOTE_URL: 'https://cnpg.example.com/mcp',
};

test('flags beat environment, environment beats the config file, defaults fill the rest', (t) => {
  const dir = scratchDir(t);
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ audience: 'from-file', callbackPort: 7000, scopes: ['openid', 'mcp:read'] }),
  );
  const settings = loadSettings({
    env: { ...base, CNPG_MCP_AUDIENCE: 'from-env', CNPG_MCP_CALLBACK_PORT: '9000', XDG_RUNTIME_DIR: dir },
    flags: { audience: 'from-flag' },
    configFile,
  });
  assert.equal(settings.audience, 'from-flag');
  assert.equal(settings.callbackPort, 9000);
  assert.equal(settings.scopes, 'openid mcp:read');
  assert.equal(settings.tokenStore, 'keychain');
  assert.equal(settings.loginTimeoutSeconds, 300);
  assert.equal(settings.runtimeDir, join(dir, 'cnpg-mcp'));
});

test('defaults: scopes include offline_access, callback port 8888, config dir from XDG_CONFIG_HOME', (t) => {
  const dir = scratchDir(t);
  const settings = loadSettings({ env: { ...base, XDG_CONFIG_HOME: dir } });
  assert.equal(settings.scopes, 'openid profile email offline_access mcp:read mcp:write');
  assert.equal(settings.callbackPort, 8888);
  assert.equal(settings.configDir, join(dir, 'cnpg-mcp'));
  assert.equal(settings.tcpPort, undefined);
  assert.equal(settings.openBrowser, true);
});

test('a config file in the config dir is read when present', (t) => {
  const dir = scratchDir(t);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...{ issuer: 'https://idp.example.com' }, clientId: 'x' }),
  );
  const settings = loadSettings({
    env: { CNPG_MCP_CONFIG_DIR: dir, CNPG_MCP_REMOTE_URL: 'https://r.example.com/mcp' },
  });
  assert.equal(settings.issuer, 'https://idp.example.com');
  assert.equal(settings.clientId, 'x');
});

test('errors name the setting, where the value came from and what was expected', (t) => {
  const dir = scratchDir(t);
  const attempt = (env: Record<string, string>) => {
    try {
      loadSettings({ env: { ...base, XDG_CONFIG_HOME: dir, ...env } });
    } catch (error) {
      assert.ok(error instanceof SettingsError, 'error instanceof SettingsError');
      return error.message;
    }
    assert.fail('expected a SettingsError');
  };
  assert.match(
    attempt({ CNPG_MCP_CALLBACK_PORT: 'eighty' }),
    /setting callbackPort \(from env CNPG_MCP_CALLBACK_PORT\) is invalid: expected integer port 0-65535; got "eighty"/,
  );
  assert.match(
    attempt({ CNPG_MCP_ISSUER: 'http://idp.example.com' }),
    /setting issuer .*https:\/\/ URL.*127\.0\.0\.1/,
  );
  assert.match(attempt({ CNPG_MCP_TOKEN_STORE: 'plaintext' }), /setting tokenStore .*"keychain" or "file"/);
  assert.match(attempt({ CNPG_MCP_REFRESH_AHEAD_SECONDS: '10' }), /setting refreshAheadSeconds .*>= 60/);
  assert.match(attempt({ CNPG_MCP_OPEN_BROWSER: 'perhaps' }), /setting openBrowser .*true or false/);
  assert.match(
    attempt({ CNPG_MCP_CLIENT_ID: '' }),
    /setting clientId is required: expected non-empty OAuth client id \(flag --client-id, env CNPG_MCP_CLIENT_ID/,
  );
});

test('http is accepted only for loopback issuers and remotes', (t) => {
  const dir = scratchDir(t);
  const settings = loadSettings({
    env: { ...base, XDG_CONFIG_HOME: dir },
    flags: { issuer: 'http://127.0.0.1:4000', remoteUrl: 'http://localhost:8080/mcp' },
  });
  assert.equal(settings.issuer, 'http://127.0.0.1:4000');
});

test('bad config files are reported with their path', (t) => {
  const dir = scratchDir(t);
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{ not json');
  assert.throws(
    () => loadSettings({ env: base, configFile: file }),
    new RegExp(`Config file ${file} is not valid JSON`),
  );
  writeFileSync(file, JSON.stringify({ issuer: 'https://a.example', colour: 'blue' }));
  assert.throws(() => loadSettings({ env: base, configFile: file }), /unknown setting\(s\) colour/);
  assert.throws(
    () => loadSettings({ env: base, configFile: join(dir, 'missing.json') }),
    /Cannot read config file/,
  );
});

test('env and flag names follow CNPG_MCP_<UPPER_SNAKE> and --kebab-case', () => {
  assert.equal(envName('loginTimeoutSeconds'), 'CNPG_MCP_LOGIN_TIMEOUT_SECONDS');
  assert.equal(envName('refreshTokenFile'), 'CNPG_MCP_REFRESH_TOKEN_FILE');
  assert.equal(flagName('callbackPort'), '--callback-port');
});

test('runtime dir: XDG_RUNTIME_DIR, else the per-user /run/user/<uid> when present, else the cache dir', (t) => {
  const dir = scratchDir(t);
  assert.equal(defaultRuntimeDir({ XDG_RUNTIME_DIR: dir }, 'linux'), join(dir, 'cnpg-mcp'));
  const fallback = defaultRuntimeDir({ XDG_CACHE_HOME: dir }, 'linux');
  const systemd = `/run/user/${process.getuid?.()}`;
  assert.ok(
    fallback === join(systemd, 'cnpg-mcp') || fallback === join(dir, 'cnpg-mcp', 'run'),
    `unexpected runtime dir ${fallback}`,
  );
  if (!existsSync(systemd)) assert.equal(fallback, join(dir, 'cnpg-mcp', 'run'));
});
