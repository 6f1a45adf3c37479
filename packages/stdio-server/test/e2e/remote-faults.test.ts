/**
 * A remote that misbehaves: one that redirects a call (into the sidecar's control API, to log the
 * person out), one that stops answering, and the mistakes `cnpg-mcp doctor` must catch before
 * every call fails (a remote URL with the wrong path, a login whose token has no audience).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loginForTokens } from '@cnpg-mcp/devstack';
import { startFront } from '../support/front.js';
import {
  builtCli,
  connectOverStdio,
  type PrivateHome,
  privateHome,
  runCli,
  textOf,
} from '../support/helpers.js';
import { type Stack, startStack } from '../support/stack.js';

/** A headless login (refresh-token file) against `remoteUrl`. */
async function loggedIn(
  stack: Stack,
  home: PrivateHome,
  remoteUrl: string,
  audience: string | null = stack.oidc.audience,
) {
  const { refresh_token: refreshToken } = await loginForTokens(stack.oidc, { username: 'alice', audience });
  assert.ok(refreshToken, 'refreshToken');
  const tokenFile = join(home.dir, 'refresh-token');
  writeFileSync(tokenFile, refreshToken, { mode: 0o600 });
  const { CNPG_MCP_TOKEN_STORE: _file, CNPG_MCP_AUDIENCE: _audience, ...settings } = stack.settingsEnv;
  return {
    ...home.env,
    ...settings,
    ...(audience ? { CNPG_MCP_AUDIENCE: audience } : {}),
    CNPG_MCP_REMOTE_URL: remoteUrl,
    CNPG_MCP_REFRESH_TOKEN_FILE: tokenFile,
    CNPG_MCP_LOGIN_WAIT_SECONDS: '0',
  };
}

for (const location of ['/logout', 'http://cnpg-mcp-sidecar/logout']) {
  test(`a remote answering a call with a redirect to ${location} is refused; the person stays logged in`, async (t) => {
    const stack = await startStack(t);
    const front = await startFront(t, stack.api.url, {});
    front.onToolCall = (name, res) => {
      if (name !== 'cluster_list') return false;
      res.writeHead(307, { location }).end();
      return true;
    };
    const cli = await builtCli();
    const home = privateHome(t);
    const env = await loggedIn(stack, home, front.url);
    const { client } = await connectOverStdio(t, cli, env);
    assert.equal((await client.callTool({ name: 'whoami', arguments: {} })).isError, undefined);

    const redirected = await client.callTool({ name: 'cluster_list', arguments: {} });
    assert.equal(redirected.isError, true);
    assert.match(textOf(redirected), /redirect \(HTTP 307 to [^)]*logout\).*never follows/s);

    // Still logged in: the refresh token was neither revoked nor deleted, and calls go on.
    const status = await runCli(cli, ['status'], env);
    assert.equal(status.code, 0, status.stdout);
    assert.match(status.stdout, /Logged in/);
    const after = await client.callTool({ name: 'whoami', arguments: {} });
    assert.equal(after.isError, undefined, textOf(after));
    assert.equal((after.structuredContent as { email: string }).email, 'alice@example.com');
    assert.deepEqual(
      front.paths.filter((path) => path.includes('logout')),
      [],
      'nothing went to a logout path anywhere',
    );
  });
}

test('a remote that stops answering: the call gives up before the client would, and says so', async (t) => {
  const stack = await startStack(t);
  const front = await startFront(t, stack.api.url, {});
  front.onToolCall = (name) => name === 'cluster_list'; // never answered
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...(await loggedIn(stack, home, front.url)), CNPG_MCP_CALL_TIMEOUT_SECONDS: '2' };
  const { client } = await connectOverStdio(t, cli, env);
  assert.equal((await client.callTool({ name: 'whoami', arguments: {} })).isError, undefined);
  // The client's own timeout (60 s by default) would say nothing about the remote.
  const silent = await client.callTool({ name: 'cluster_list', arguments: {} });
  assert.equal(silent.isError, true);
  assert.match(textOf(silent), /The remote API did not answer within 2 s/);
  assert.match(textOf(silent), /may or may not have completed/);
  const next = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(next.isError, undefined, 'the server goes on serving');
});

test('doctor: a remote URL with the wrong path fails with the fix', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv, CNPG_MCP_REMOTE_URL: `${stack.api.url}/` };
  const doctor = await runCli(cli, ['doctor'], env);
  assert.equal(doctor.code, 1, doctor.stdout);
  assert.match(
    doctor.stdout,
    /\[FAIL\] remote +http:\/\/127\.0\.0\.1:\d+\/ answered an MCP request with HTTP 40[45]/,
  );
  assert.match(doctor.stdout, /fix: set the remote URL .* e\.g\. http:\/\/127\.0\.0\.1:\d+\/mcp/);
});

test('doctor: a login whose token has no audience fails with the fix', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = await loggedIn(stack, home, stack.settingsEnv.CNPG_MCP_REMOTE_URL ?? '', null);
  const doctor = await runCli(cli, ['doctor'], env);
  assert.equal(doctor.code, 1, doctor.stdout);
  assert.match(doctor.stdout, /\[ok {2}\] login /);
  assert.match(
    doctor.stdout,
    /\[FAIL\] remote login +the remote API refuses the login's access token: .*JWT/,
  );
  assert.match(doctor.stdout, /fix: the token was issued without the remote API's audience: set audience/);
});
