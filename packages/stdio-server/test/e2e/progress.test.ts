import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginAsPerson } from '@cnpg-mcp/devstack';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { builtCli, connectOverStdio, loginWithCli, privateHome } from '../support/helpers.js';
import { credentials, startStack } from '../support/stack.js';

async function loggedInSession(
  t: import('node:test').TestContext,
  stepDelayMs: number,
  extraEnv: Record<string, string> = {},
) {
  const stack = await startStack(t, { stepDelayMs });
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv, ...extraEnv };
  const login = await loginWithCli(cli, env, (url) => loginAsPerson(url, credentials('alice')));
  assert.equal(login.code, 0, login.stderr);
  const session = await connectOverStdio(t, cli, env);
  return { stack, ...session };
}

test('progress notifications of create-and-wait reach the stdio client while the call runs', async (t) => {
  const { client } = await loggedInSession(t, 20);
  const progress: Progress[] = [];
  const result = await client.callTool(
    {
      name: 'cluster_create',
      arguments: { name: 'orders', instances: 3, storage_size: '1Gi', wait: true, wait_timeout_seconds: 60 },
    },
    undefined,
    { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true },
  );
  assert.equal(result.isError, undefined, JSON.stringify(result.content));
  const structured = result.structuredContent as { waited: boolean; readyInstances: number };
  assert.equal(structured.waited, true);
  assert.equal(structured.readyInstances, 3);
  t.diagnostic(`${progress.length} progress notifications: ${progress.map((p) => p.progress).join(', ')}`);
  assert.ok(progress.length >= 2, `several progress notifications (${progress.length})`);
  assert.equal(progress.at(-1)?.total, 3);
  for (let i = 1; i < progress.length; i++) {
    assert.ok((progress[i]?.progress ?? 0) >= (progress[i - 1]?.progress ?? 0), 'progress never goes back');
  }
});

test('cancelling a call over stdio cancels it at the remote API', async (t) => {
  const { client, stack } = await loggedInSession(t, 1000);
  const controller = new AbortController();
  const call = client.callTool(
    {
      name: 'cluster_create',
      arguments: { name: 'slow', instances: 3, storage_size: '1Gi', wait: true, wait_timeout_seconds: 600 },
    },
    undefined,
    { signal: controller.signal, onprogress: () => controller.abort('the person changed their mind') },
  );
  await assert.rejects(call);
  const deadline = Date.now() + 10_000;
  let record: Record<string, unknown> | undefined;
  while (!record && Date.now() < deadline) {
    record = stack.audit.records().find((r) => r.tool === 'cluster_create' && r.name === 'slow');
    if (!record) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(record?.outcome, 'cancelled', JSON.stringify(stack.audit.records()));
});

test('a call that waits (wait: true) is not cut by the answer timeout, whether or not the client asked for progress', async (t) => {
  const timeoutSeconds = 2;
  const { client } = await loggedInSession(t, 300, { CNPG_MCP_CALL_TIMEOUT_SECONDS: String(timeoutSeconds) });
  const create = (name: string) => ({
    name: 'cluster_create',
    arguments: { name, instances: 3, storage_size: '1Gi', wait: true, wait_timeout_seconds: 120 },
  });
  let started = performance.now();
  const progress: Progress[] = [];
  const followed = await client.callTool(create('followed'), undefined, {
    onprogress: (p) => progress.push(p),
    resetTimeoutOnProgress: true,
  });
  const followedMs = performance.now() - started;
  assert.equal(followed.isError, undefined, JSON.stringify(followed.content));
  assert.ok(progress.length >= 2, `progress reached the client (${progress.length})`);

  // This client asks for no progress: the call still waits as long as the tool may wait.
  started = performance.now();
  const quiet = await client.callTool(create('quiet'), undefined, { timeout: 120_000 });
  const quietMs = performance.now() - started;
  assert.equal(quiet.isError, undefined, JSON.stringify(quiet.content));
  assert.equal((quiet.structuredContent as { readyInstances: number }).readyInstances, 3);
  t.diagnostic(
    `waits: ${Math.round(followedMs)} ms and ${Math.round(quietMs)} ms, timeout ${timeoutSeconds} s`,
  );
  // Only meaningful if the waits were longer than the timeout.
  assert.ok(
    followedMs > timeoutSeconds * 1000 && quietMs > timeoutSeconds * 1000,
    'the waits outlasted the timeout',
  );
});
