import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { defaultCacheDir } from '@cnpg-mcp/auth-sidecar';
import { DEFAULT_SELECTION, toolListForMcp } from '@cnpg-mcp/catalog';
import { loginAsPerson, loginForTokens } from '@cnpg-mcp/devstack';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { listCachePath } from '../../src/serve/list-cache.js';
import { selectedTools } from '../../src/serve/tool-selection.js';
import {
  actAsPersonOnLoginMessages,
  builtCli,
  connectOverStdio,
  privateHome,
  runCli,
  sidecarPid,
  sidecarSockets,
  textOf,
} from '../support/helpers.js';
import { credentials, startStack } from '../support/stack.js';

type Structured = Record<string, unknown>;

test('SDK client over stdio: the first tool call starts a browser login, the person logs in, the call completes', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_LOGIN_MODE: 'browser',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '60',
  };
  const { client, stderr } = await connectOverStdio(t, cli, env);
  const person = actAsPersonOnLoginMessages(client);

  const started = performance.now();
  const whoami = await client.callTool({ name: 'whoami', arguments: {} });
  t.diagnostic(`first call including the login: ${Math.round(performance.now() - started)} ms`);
  await person.settled();
  assert.equal(whoami.isError, undefined, textOf(whoami));
  assert.equal((whoami.structuredContent as Structured).email, 'alice@example.com');
  assert.ok(
    person.seen.some((text) => text.includes('needs you to log in')),
    'the person was told where to go',
  );

  const list = await client.callTool({ name: 'cluster_list', arguments: {} });
  assert.equal(list.isError, undefined, textOf(list));
  assert.equal(stack.oidc.tokenEndpointCalls().authorization_code, 1);

  const token = (await runCli(cli, ['token'], env)).stdout.trim();
  assert.ok(token.length > 20, 'token.length > 20');
  assert.ok(!stderr().includes(token), 'the access token never reaches the log');
});

test('a call with no display logs in with a device code; the sidecar killed mid-session is started again', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv, CNPG_MCP_LOGIN_WAIT_SECONDS: '60' };
  const { client } = await connectOverStdio(t, cli, env);
  const person = actAsPersonOnLoginMessages(client, 'bob');

  const first = await client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal((first.structuredContent as Structured).email, 'bob@example.com', textOf(first));
  assert.ok(
    person.seen.some((text) => /enter the code/.test(text)),
    'person.seen.some((text) => /enter the code/.test(text))',
  );

  const [socket] = sidecarSockets(home.runtimeDir);
  assert.ok(socket, 'socket');
  const pid = await sidecarPid(socket);
  assert.ok(pid, 'pid');
  process.kill(pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 100));

  const again = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal((again.structuredContent as Structured).email, 'bob@example.com', textOf(again));
  const newPid = await sidecarPid(socket);
  assert.ok(newPid && newPid !== pid, `a new sidecar answers (${pid} → ${newPid})`);
  assert.ok(
    (stack.oidc.tokenEndpointCalls()['urn:ietf:params:oauth:grant-type:device_code'] ?? 0) > 0,
    "(stack.oidc.tokenEndpointCalls()['urn:ietf:params:oauth:grant-type:device_code'] ?? 0) > 0",
  );
});

test('when a login does not finish in time, the call fails with exactly what to run', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_LOGIN_MODE: 'browser',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '1',
  };
  const { client } = await connectOverStdio(t, cli, env);
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(result.isError, true);
  const text = textOf(result);
  assert.match(text, /Not logged in, so the tool whoami did not run/);
  assert.match(text, /open this URL in a browser:\s+http:\/\/127\.0\.0\.1:\d+\/auth\?/);
  assert.match(text, new RegExp(`login --issuer ${stack.oidc.issuer.replace(/[.:/]/g, '\\$&')}`));
  assert.match(text, /--remote-url/);
});

test('headless: only CNPG_MCP_REFRESH_TOKEN, no browser, no keychain; non-tool requests are forwarded', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const { refresh_token: refreshToken } = await loginForTokens(stack.oidc, { username: 'bob' });
  assert.ok(refreshToken, 'refreshToken');
  const { CNPG_MCP_TOKEN_STORE: _file, ...settings } = stack.settingsEnv;
  const env = {
    ...home.env,
    ...settings,
    CNPG_MCP_REFRESH_TOKEN: refreshToken,
    CNPG_MCP_LOGIN_WAIT_SECONDS: '0',
  };
  const { client, stderr } = await connectOverStdio(t, cli, env);
  const whoami = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal((whoami.structuredContent as Structured).email, 'bob@example.com', textOf(whoami));
  const read = await client.readResource({ uri: 'cnpg://clusters' });
  assert.equal(
    read.contents[0]?.mimeType,
    'application/json',
    'resources/read is forwarded to the remote too',
  );
  const status = JSON.parse((await runCli(cli, ['status', '--json'], env)).stdout) as { store: string };
  assert.equal(status.store, 'env');
  assert.ok(!stderr().includes(refreshToken), '!stderr().includes(refreshToken)');
  assert.match(
    stderr(),
    /without CNPG_MCP_REFRESH_TOKEN_FILE/,
    'the person is warned that a restart loses the login',
  );
});

test('list_changed: a stale cached list is served at once, then replaced by the remote list', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_LOGIN_MODE: 'browser',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '60',
  };
  const cachePath = listCachePath(defaultCacheDir(env), stack.settingsEnv.CNPG_MCP_REMOTE_URL ?? '');
  // The default toolsets, as the remote lists them for this server's X-MCP-Toolsets header.
  const current = selectedTools(toolListForMcp(), DEFAULT_SELECTION);
  const stale = current.filter((tool) => tool.name !== 'cluster_delete');
  mkdirSync(dirname(cachePath), { recursive: true });
  writeFileSync(
    cachePath,
    JSON.stringify({ tools: stale, prompts: [], resources: [], resourceTemplates: [] }),
  );

  const { client } = await connectOverStdio(t, cli, env);
  const changed = new Promise<void>((resolve) =>
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
  );
  assert.equal((await client.listTools()).tools.length, stale.length, 'the cached list is served first');
  const person = actAsPersonOnLoginMessages(client);
  const whoami = await client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal(whoami.isError, undefined, textOf(whoami));
  await changed;
  const fresh = (await client.listTools()).tools;
  assert.deepEqual(fresh, current);
  const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { tools: unknown[] };
  assert.deepEqual(cached.tools, current, 'the cache holds the remote list for next time');
});

test('without a usable keychain, a call says so and how to choose the file store', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_TOKEN_STORE: 'keychain',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '1',
  };
  const { client } = await connectOverStdio(t, cli, env);
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(result.isError, true);
  const text = textOf(result);
  t.diagnostic(text);
  assert.match(text, /keychain/i);
  assert.match(text, /file/);
});

test('several copies started at once (as Claude Desktop does) share one sidecar and one login', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_LOGIN_MODE: 'browser',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '60',
  };
  const sessions = await Promise.all([1, 2, 3].map(() => connectOverStdio(t, cli, env)));
  // The person follows the first login URL any copy shows; the other copies joined the same login.
  let personActed = false;
  for (const session of sessions) {
    session.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(String(notification.params.data))?.[1];
      if (url && !personActed) {
        personActed = true;
        void loginAsPerson(url, credentials('alice'));
      }
    });
  }
  const results = await Promise.all(
    sessions.map((session) => session.client.callTool({ name: 'whoami', arguments: {} })),
  );
  for (const result of results) {
    assert.equal((result.structuredContent as Structured).email, 'alice@example.com', textOf(result));
  }
  assert.equal(sidecarSockets(home.runtimeDir).length, 1, 'one sidecar');
  assert.equal(stack.oidc.tokenEndpointCalls().authorization_code, 1, 'one login for all copies');
});

test('an expired login: the next call starts a new one, and completes once the person logs in again', async (t) => {
  const stack = await startStack(t, { oidc: { accessTokenTtlSeconds: 2, refreshTokenTtlSeconds: 3 } });
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_LOGIN_MODE: 'browser',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '60',
  };
  const { client } = await connectOverStdio(t, cli, env);
  const person = actAsPersonOnLoginMessages(client);
  const first = await client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal((first.structuredContent as Structured).email, 'alice@example.com', textOf(first));

  await new Promise((resolve) => setTimeout(resolve, 4000));
  const again = await client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal((again.structuredContent as Structured).email, 'alice@example.com', textOf(again));
  assert.equal(stack.oidc.tokenEndpointCalls().authorization_code, 2, 'the person logged in a second time');
  assert.equal(person.seen.filter((text) => text.includes('needs you to log in')).length, 2);
});

test('when the remote API goes away, a call says it could not be reached and the server keeps serving', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const { refresh_token: refreshToken } = await loginForTokens(stack.oidc, { username: 'alice' });
  assert.ok(refreshToken, 'refreshToken');
  const env = { ...home.env, ...stack.settingsEnv, CNPG_MCP_REFRESH_TOKEN: refreshToken };
  const { client } = await connectOverStdio(t, cli, env);
  assert.equal((await client.callTool({ name: 'whoami', arguments: {} })).isError, undefined);

  await stack.api.close();
  const result = await client.callTool({ name: 'cluster_list', arguments: {} });
  assert.equal(result.isError, true);
  assert.match(textOf(result), /Could not reach the remote API http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(
    (await client.listTools()).tools.length,
    selectedTools(toolListForMcp(), DEFAULT_SELECTION).length,
    'lists still answer',
  );
});
