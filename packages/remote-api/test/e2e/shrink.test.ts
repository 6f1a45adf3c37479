import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { KubeEmulator } from '../../../devstack/src/index.js';
import { type LocalStack, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary Kubernetes objects.
type Loose = any;
const NS = 'default';
const PG = 'pg-shrink';
let stack: LocalStack;
let kube: KubeEmulator;
let alice: Client;
let bob: Client;
let custom: CustomObjectsApi;
let core: CoreV1Api;

before(async () => {
  stack = await startLocalStack({ kube: { stepDelayMs: 1 } });
  kube = stack.kube;
  ({ custom, core } = stack.admin);
  const [a, b] = await Promise.all(['alice', 'bob'].map((username) => stack.tokenFor(username)));
  [alice, bob] = await Promise.all([connectClient(stack.api, a!), connectClient(stack.api, b!)]);
});

after(async () => {
  await Promise.all([alice.close(), bob.close()]);
  await stack.close();
});

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent: Loose };
}
const text = (r: CallToolResult) => (r.content as { text: string }[]).map((c) => c.text).join('\n');
const cluster = async (): Promise<Loose> =>
  custom.getNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: NS,
    plural: 'clusters',
    name: PG,
  });
const dataSizes = async () =>
  (
    await core.listNamespacedPersistentVolumeClaim({
      namespace: NS,
      labelSelector: `cnpg.io/cluster=${PG},cnpg.io/pvcRole=PG_DATA`,
    })
  ).items
    .map((p) => `${p.metadata!.labels!['cnpg.io/instanceName']}=${p.spec!.resources!.requests!.storage}`)
    .sort();

test('guided shrink: one step per call until every volume is at the new size', async () => {
  const created = await call(alice, 'cluster_create', {
    name: PG,
    instances: 2,
    storage_size: '4Gi',
    wait: true,
    wait_timeout_seconds: 60,
  });
  assert.ok(!created.isError, text(created));
  await kube.settle();
  const idle = await call(alice, 'cluster_storage_shrink_status', { name: PG });
  assert.equal(idle.structuredContent.inProgress, false);
  assert.equal(idle.structuredContent.step, 'start');

  // Refusals write nothing.
  const before = JSON.stringify((await cluster()).spec);
  for (const [args, pattern] of [
    [{ storage_size: '2Gi', confirm: 'nope' }, /confirmation required/],
    [{ storage_size: '8Gi', confirm: PG }, /not smaller than the current 4Gi; use cluster_storage_grow/],
    [{ storage_size: 'small', confirm: PG }, /storage_size/],
  ] as const) {
    const refused = await call(alice, 'cluster_storage_shrink', { name: PG, ...args });
    assert.equal(refused.isError, true);
    assert.match(text(refused), pattern);
  }
  assert.match(
    text(await call(bob, 'cluster_storage_shrink', { name: PG, storage_size: '2Gi', confirm: PG })),
    /rule ownership/,
  );
  assert.match(
    text(await call(alice, 'cluster_storage_shrink', { name: 'nope', storage_size: '2Gi', confirm: 'nope' })),
    /not found/,
  );
  const dry = await call(alice, 'cluster_storage_shrink', {
    name: PG,
    storage_size: '2Gi',
    confirm: PG,
    dry_run: true,
  });
  assert.equal(dry.structuredContent.dryRun, true);
  assert.equal(JSON.stringify((await cluster()).spec), before, 'refusals and the dry run wrote nothing');

  const steps: string[] = [];
  for (let i = 0; i < 12; i++) {
    const result = await call(alice, 'cluster_storage_shrink', {
      name: PG,
      storage_size: '2Gi',
      confirm: PG,
    });
    assert.ok(!result.isError, text(result));
    steps.push(result.structuredContent.action.replace('shrink-', ''));
    if (result.structuredContent.step === 'done') break;
    if (steps.length === 1) {
      const midway = await call(alice, 'cluster_storage_shrink_status', { name: PG });
      assert.equal(midway.structuredContent.inProgress, true);
      assert.equal(midway.structuredContent.originalInstances, 2);
    }
    await kube.settle();
  }
  assert.equal(steps[0], 'start');
  assert.ok(steps.includes('switchover'), steps.join(' '));
  assert.ok(steps.filter((s) => s === 'destroy').length >= 1, steps.join(' '));
  assert.equal(steps.at(-1), 'finish');
  await kube.settle();
  const done = await cluster();
  assert.equal(done.spec.instances, 2);
  assert.equal(done.spec.storage.size, '2Gi');
  assert.equal(done.metadata.annotations['cnpg.io/validation'], undefined, 'validation re-enabled');
  assert.equal(done.metadata.annotations['cnpg-mcp.io/storage-shrink-target'], undefined);
  const sizes = await dataSizes();
  assert.equal(sizes.length, 2);
  assert.ok(
    sizes.every((s) => s.endsWith('=2Gi')),
    sizes.join(' '),
  );
  assert.equal(done.status.phase, 'Cluster in healthy state');
});
