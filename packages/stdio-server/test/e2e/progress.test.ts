import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginAsPerson } from '@cnpg-mcp/devstack';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { builtCli, connectOverStdio, loginWithCli, privateHome } from '../support/helpers.js';
import { credentials, startStack } from '../support/stack.js';

async function loggedInSession(t: import('node:test').TestContext, stepDelayMs: number) {
  const stack = await startStack(t, { stepDelayMs });
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv };
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
