/**
 * Faults on the desktop side, each with its defined outcome: the provider going down (the cached
 * access token works until it expires, then a clear error), the remote API restarted mid-call and
 * the sidecar killed mid-call (the call fails clearly, the next one works, no write is lost or
 * doubled).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loginForTokens } from '@cnpg-mcp/devstack';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { builtCli, connectOverStdio, privateHome, sidecarPid, sidecarSockets } from '../support/helpers.js';
import { type Stack, startStack } from '../support/stack.js';

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A headless login through a refresh-token file, which the sidecar rewrites on every rotation,
 * so a sidecar started after another died continues with the current token.
 */
async function headlessSession(t: Parameters<typeof startStack>[0], stack: Stack) {
  const cli = await builtCli();
  const home = privateHome(t);
  const { refresh_token: refreshToken } = await loginForTokens(stack.oidc, { username: 'admin' });
  assert.ok(refreshToken, 'refreshToken');
  const tokenFile = join(home.dir, 'refresh-token');
  writeFileSync(tokenFile, refreshToken, { mode: 0o600 });
  const { CNPG_MCP_TOKEN_STORE: _file, ...settings } = stack.settingsEnv;
  const env = { ...home.env, ...settings, CNPG_MCP_REFRESH_TOKEN_FILE: tokenFile };
  const { client } = await connectOverStdio(t, cli, env);
  return { client, home };
}

async function clusterCount(stack: Stack, name: string): Promise<number> {
  const response = await fetch(`${stack.kube.url}/apis/postgresql.cnpg.io/v1/clusters`, {
    headers: { authorization: `Bearer ${stack.kube.token}` },
  });
  const list = (await response.json()) as { items: Array<{ metadata: { name: string } }> };
  return list.items.filter((item) => item.metadata.name === name).length;
}

/** Starts a create-and-wait that takes a few seconds on the slowed-down emulator. */
function slowCreate(client: Client, name: string) {
  return client.callTool({
    name: 'cluster_create',
    arguments: { name, storage_size: '1Gi', instances: 3, wait: true, wait_timeout_seconds: 60 },
  });
}

test('provider down: the cached access token keeps working until it expires, then a clear error', async (t) => {
  const stack = await startStack(t, { oidc: { accessTokenTtlSeconds: 8 } });
  const { client } = await headlessSession(t, stack);
  assert.equal((await client.callTool({ name: 'whoami', arguments: {} })).isError, undefined);

  await stack.oidc.close();
  const immediately = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(immediately.isError, undefined, textOf(immediately));
  await sleep(5000);
  const inRefreshWindow = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(
    inRefreshWindow.isError,
    undefined,
    `a failed early refresh falls back to the still-valid token: ${textOf(inRefreshWindow)}`,
  );
  await sleep(4000);
  const expired = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(expired.isError, true);
  assert.match(textOf(expired), new RegExp(stack.oidc.issuer.replace(/[.:/]/g, '\\$&')));
  assert.match(textOf(expired), /refresh|reach|unavailable/i);
});

test('remote API restarted mid-call: the call fails clearly, the write happened once, the next call works', async (t) => {
  const stack = await startStack(t, { stepDelayMs: 400 });
  const { client } = await headlessSession(t, stack);
  const port = new URL(stack.api.url).port;
  const pending = slowCreate(client, 'pg-restart');
  await sleep(1500);
  await stack.api.close();
  await stack.startApi({ env: { PORT: port, LOG_LEVEL: 'warn' } });

  // A graceful shutdown drains the call when it can; when it cannot, the call says its outcome
  // is unknown. Either way the write landed exactly once.
  const interrupted = await pending;
  if (interrupted.isError) assert.match(textOf(interrupted), /may or may not have completed/);
  t.diagnostic(`in-flight call: ${interrupted.isError ? 'reported as cut' : 'drained and completed'}`);
  assert.equal(await clusterCount(stack, 'pg-restart'), 1, 'the create landed once');

  const status = await client.callTool({ name: 'cluster_status', arguments: { name: 'pg-restart' } });
  assert.equal(status.isError, undefined, textOf(status));
  const again = await client.callTool({
    name: 'cluster_create',
    arguments: { name: 'pg-restart', storage_size: '1Gi', instances: 3 },
  });
  assert.equal(again.isError, true);
  assert.match(textOf(again), /already exists/i);
  assert.equal(await clusterCount(stack, 'pg-restart'), 1, 'running the tool again doubles nothing');
});

test('sidecar killed mid-call: the call fails at once with a clear error, the next call respawns it', async (t) => {
  const stack = await startStack(t, { stepDelayMs: 400 });
  const { client, home } = await headlessSession(t, stack);
  assert.equal((await client.callTool({ name: 'whoami', arguments: {} })).isError, undefined);
  const [socket] = sidecarSockets(home.runtimeDir);
  assert.ok(socket, 'socket');
  const pid = await sidecarPid(socket);
  assert.ok(pid, 'pid');

  const pending = slowCreate(client, 'pg-killed');
  await sleep(1500);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const interrupted = await pending;
  assert.equal(interrupted.isError, true);
  assert.match(textOf(interrupted), /was cut while the call ran.*may or may not have completed/s);
  assert.ok(Date.now() - killedAt < 10_000, 'the call did not hang');

  const next = await client.callTool({ name: 'cluster_status', arguments: { name: 'pg-killed' } });
  assert.equal(next.isError, undefined, textOf(next));
  const newPid = await sidecarPid(socket);
  assert.ok(newPid && newPid !== pid, 'a new sidecar answers');
  assert.equal(await clusterCount(stack, 'pg-killed'), 1, 'the create landed once');
  const creates = () => stack.audit.records().filter((record) => record.tool === 'cluster_create');
  for (let i = 0; i < 50 && creates().length === 0; i++) await sleep(100);
  assert.equal(creates().length, 1, 'the interrupted call was not sent again');
});
