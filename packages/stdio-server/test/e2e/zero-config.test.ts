/**
 * Only the remote URL is configured: issuer, client id, audience and scopes come from what the
 * remote API publishes (RFC 9728 metadata with the `cnpg_mcp_desktop` extension), are cached so
 * that later starts need no network for them, and `cnpg-mcp doctor` says where each value came from.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { defaultCacheDir } from '@cnpg-mcp/auth-sidecar';
import { discoveryCachePath } from '../../src/settings/discovery-cache.js';
import { startFront } from '../support/front.js';
import {
  actAsPersonOnLoginMessages,
  builtCli,
  connectOverStdio,
  privateHome,
  runCli,
  textOf,
} from '../support/helpers.js';
import { type Stack, startStack } from '../support/stack.js';

/**
 * What only this test machine needs, none of it about the remote: no keychain here (the file
 * store), any free callback port, no browser to open, a person who logs in within the minute.
 */
const MACHINE = {
  CNPG_MCP_TOKEN_STORE: 'file',
  CNPG_MCP_CALLBACK_PORT: '0',
  CNPG_MCP_OPEN_BROWSER: 'false',
  CNPG_MCP_LOGIN_MODE: 'browser',
  CNPG_MCP_LOGIN_WAIT_SECONDS: '60',
};

/** The local stack, its remote API publishing the provider's native client for desktops. */
function stackForDesktops(t: Parameters<typeof startStack>[0]): Promise<Stack> {
  return startStack(t, { apiEnv: { DESKTOP_CLIENT_ID: 'cnpg-mcp' } });
}

test('zero-config: `cnpg-mcp --remote-url URL` logs in and calls with what the remote API publishes, then starts from the cache', async (t) => {
  const stack = await stackForDesktops(t);
  const remoteUrl = stack.api.mcpUrl.href;
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...MACHINE };

  const first = await connectOverStdio(t, cli, env, ['--remote-url', remoteUrl]);
  const person = actAsPersonOnLoginMessages(first.client);
  const whoami = await first.client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal(whoami.isError, undefined, textOf(whoami));
  assert.equal((whoami.structuredContent as { email: string }).email, 'alice@example.com');
  assert.equal(stack.oidc.tokenEndpointCalls().authorization_code, 1);

  const cachePath = discoveryCachePath(defaultCacheDir(env), remoteUrl);
  const cache = statSync(cachePath);
  assert.equal(cache.mode & 0o777, 0o600, 'the cache is private');
  const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { values: Record<string, string> };
  assert.deepEqual(cached.values, {
    issuer: stack.issuer,
    clientId: 'cnpg-mcp',
    audience: stack.audience,
    scopes: 'openid profile email offline_access mcp:read mcp:write',
  });
  await first.client.close();

  // A later start and its first call read the cache: discovery would have rewritten the file.
  const second = await connectOverStdio(t, cli, env, ['--remote-url', remoteUrl]);
  const again = await second.client.callTool({ name: 'cluster_list', arguments: {} });
  assert.equal(again.isError, undefined, textOf(again));
  assert.equal(statSync(cachePath).ino, cache.ino, 'nothing was discovered again');

  const doctor = await runCli(cli, ['doctor', '--remote-url', remoteUrl, '--audience', stack.audience], env);
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  const out = doctor.stdout;
  const metadata = `${stack.api.url}/.well-known/oauth-protected-resource/mcp`.replace(/[.:/]/g, '\\$&');
  assert.match(out, /remoteUrl = http:\/\/127\.0\.0\.1:\d+\/mcp +\(flag --remote-url\)/);
  assert.match(
    out,
    new RegExp(`issuer = ${stack.issuer.replace(/[.:/]/g, '\\$&')} +\\(discovered at ${metadata}\\)`),
  );
  assert.match(out, new RegExp(`clientId = cnpg-mcp +\\(discovered at ${metadata}\\)`));
  assert.match(
    out,
    /audience = \S+ +\(flag --audience\)/,
    'an explicit setting wins over what was discovered',
  );
  assert.match(out, /tokenStore = file +\(env CNPG_MCP_TOKEN_STORE\)/);
  for (const name of ['discovery', 'remote', 'metadata', 'login', 'remote login']) {
    assert.match(out, new RegExp(`\\[ok  \\] ${name} `), `${name} checked:\n${out}`);
  }
});

test('config claude-desktop with only --remote-url writes an entry that works as it is', async (t) => {
  const stack = await stackForDesktops(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const { CNPG_MCP_IDLE_EXIT_SECONDS: _testOnly, ...personEnv } = home.env;
  const remoteUrl = stack.api.mcpUrl.href;
  const printed = await runCli(cli, ['config', 'claude-desktop', '--remote-url', remoteUrl], personEnv);
  assert.equal(printed.code, 0, printed.stderr);
  const entry = JSON.parse(printed.stdout).mcpServers.cnpg as {
    command: string;
    args: string[];
    env?: object;
  };
  assert.deepEqual(
    entry.args.slice(1),
    ['--remote-url', remoteUrl],
    'the remote URL is the whole configuration',
  );
  assert.equal(entry.env, undefined);

  const session = await connectOverStdio(
    t,
    entry.args[0] ?? '',
    { ...home.env, ...MACHINE },
    entry.args.slice(1),
  );
  const person = actAsPersonOnLoginMessages(session.client, 'bob');
  const whoami = await session.client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal((whoami.structuredContent as { email: string }).email, 'bob@example.com', textOf(whoami));

  const unknown = await runCli(
    cli,
    ['config', 'claude-desktop', '--remote-url', 'http://127.0.0.1:1/mcp'],
    personEnv,
  );
  assert.equal(unknown.code, 1, 'an entry that could not work is not printed');
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /the entry would not work yet: .*issuer/s);
});

test('a remote that publishes no client id for desktops: the call says what to set', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const remoteUrl = stack.api.mcpUrl.href;
  const { client } = await connectOverStdio(t, cli, { ...home.env, ...MACHINE }, ['--remote-url', remoteUrl]);
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(result.isError, true);
  const text = textOf(result);
  assert.match(text, /setting clientId is required/);
  assert.match(
    text,
    /does not publish clientId for desktop clients; set clientId \(--client-id, CNPG_MCP_CLIENT_ID\)/,
  );
  assert.doesNotMatch(text, /setting issuer is required/, 'what the remote publishes is used');

  const given = await connectOverStdio(t, cli, { ...home.env, ...MACHINE }, [
    '--remote-url',
    remoteUrl,
    '--client-id',
    stack.oidc.clientId,
  ]);
  const person = actAsPersonOnLoginMessages(given.client);
  const whoami = await given.client.callTool({ name: 'whoami', arguments: {} });
  await person.settled();
  assert.equal(
    whoami.isError,
    undefined,
    `with the client id given, the rest comes from the remote: ${textOf(whoami)}`,
  );
});

test('a remote whose metadata cannot be read any more: the cached settings go on working, doctor says so', async (t) => {
  const stack = await startStack(t);
  // A front that serves the metadata itself, so that the test can stop it answering.
  const front = await startFront(t, stack.api.url, {
    issuer: stack.issuer,
    client_id: stack.oidc.clientId,
    audience: stack.audience,
    scopes: ['openid', 'offline_access', 'mcp:read', 'mcp:write'],
  });
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...MACHINE };
  const first = await connectOverStdio(t, cli, env, ['--remote-url', front.url]);
  const person = actAsPersonOnLoginMessages(first.client);
  assert.equal((await first.client.callTool({ name: 'whoami', arguments: {} })).isError, undefined);
  await person.settled();
  await first.client.close();

  front.publish = false;
  const asked = front.metadataRequests;
  const second = await connectOverStdio(t, cli, env, ['--remote-url', front.url]);
  const again = await second.client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(again.isError, undefined, textOf(again));
  assert.equal(front.metadataRequests, asked, 'start-up and the first call did not ask the remote');

  const doctor = await runCli(cli, ['doctor', '--remote-url', front.url], env);
  assert.match(
    doctor.stdout,
    /issuer = http:\/\/127\.0\.0\.1:\d+ +\(cached in .*discovered-[0-9a-f]+\.json\)/,
  );
  assert.match(doctor.stdout, /\[WARN\] discovery +using what was cached in .*: .*answered HTTP 404/);
});

test('metadata that describes another resource is refused: the provider it names is not used', async (t) => {
  const stack = await startStack(t);
  const front = await startFront(t, stack.api.url, { issuer: stack.issuer, client_id: stack.oidc.clientId });
  front.resource = 'https://elsewhere.example/mcp';
  const cli = await builtCli();
  const home = privateHome(t);
  const { client } = await connectOverStdio(t, cli, { ...home.env, ...MACHINE }, ['--remote-url', front.url]);
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(result.isError, true);
  assert.match(
    textOf(result),
    /describes the resource https:\/\/elsewhere\.example\/mcp, not http:\/\/127\.0\.0\.1/,
  );
  assert.match(textOf(result), /setting issuer is required/);
  assert.deepEqual(stack.oidc.tokenEndpointCalls(), {}, 'no login was attempted at the provider it named');
});
