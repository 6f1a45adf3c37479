/**
 * The watch cache against the emulator: reads are served from it with read-your-writes (also when
 * its watch lags behind a write), and it recovers from watch errors and 410 Gone by listing again,
 * unserved (reads go to the API server, readiness says so) until it has.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { KubeEmulator } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

/** The clusters informer lists and watches every namespace at this path. */
const CLUSTERS_EVERYWHERE = /^\/apis\/postgresql\.cnpg\.io\/v1\/clusters$/;
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1', namespace: 'default', plural: 'clusters' };

let stack: LocalStack;
let kube: KubeEmulator;
let api: StackApi;
let client: Client;

before(async () => {
  stack = await startLocalStack({ kube: { stepDelayMs: 0 } });
  ({ kube, api } = stack);
  client = await connectClient(api, await stack.tokenFor('admin'));
});

after(async () => {
  await client.close();
  await stack.close();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.ok(!result.isError, `${name}: ${JSON.stringify(result.content)}`);
  return result;
}

async function clusterNames(): Promise<string[]> {
  const result = await call('cluster_list', {});
  return (result.structuredContent as { clusters: { name: string }[] }).clusters.map((c) => c.name);
}

const reads = (source: 'cache' | 'api') => api.metrics.cacheReads.get({ resource: 'clusters', source });

async function readiness(): Promise<{ status: number; cache: { ok: boolean; detail: string } }> {
  const response = await fetch(`${api.url}/readyz`);
  return {
    status: response.status,
    cache: ((await response.json()) as { cache: { ok: boolean; detail: string } }).cache,
  };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const adminCreate = (name: string) =>
  stack.admin.custom.createNamespacedCustomObject({
    ...CNPG,
    body: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name },
      spec: { instances: 1, storage: { size: '1Gi' } },
    },
  });

/** Any change at all moves the emulator's resourceVersion past what the clusters informer has seen. */
const unrelatedChange = (name: string) =>
  stack.admin.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });

const syncsOfClusters = () =>
  api.logs
    .records<{ msg: string; resource?: string }>()
    .filter((line) => line.msg === 'watch cache synced' && line.resource === 'clusters').length;

test('reads are served from the cache once it is synced: no Kubernetes request per read', async () => {
  assert.equal((await readiness()).status, 200);
  await clusterNames();
  kube.resetTraffic();
  const before = reads('cache');
  for (let i = 0; i < 20; i += 1) await clusterNames();
  assert.equal(reads('cache'), before + 20);
  assert.equal(kube.traffic().requests, 0, 'no request reached the Kubernetes API');
});

test('read-your-writes: the next call sees a write although the watch has not delivered it yet', async () => {
  // The clusters watch reconnects 1.5 s late, so the cache hears of the next write only then.
  kube.faults.add({ method: 'GET', path: CLUSTERS_EVERYWHERE, latencyMs: 1500, times: 1 });
  assert.ok(kube.interruptWatches() > 0, 'kube.interruptWatches() > 0');
  await call('cluster_create', { name: 'pg-ryw', storage_size: '1Gi', instances: 1 });
  assert.ok((await clusterNames()).includes('pg-ryw'), 'the cluster just created is listed');
});

test('within one call: cluster_create with wait reads the cluster it created (a write tool reads from the API server)', async () => {
  kube.faults.add({ method: 'GET', path: CLUSTERS_EVERYWHERE, latencyMs: 1500, times: 1 });
  assert.ok(kube.interruptWatches() > 0, 'kube.interruptWatches() > 0');
  const result = await call('cluster_create', {
    name: 'pg-ryw-wait',
    storage_size: '1Gi',
    instances: 1,
    wait: true,
    wait_timeout_seconds: 30,
  });
  assert.equal((result.structuredContent as { waited: boolean }).waited, true);
});

test('watch errors: unserved and not ready while listing fails, reads go to the API server, then it serves what changed', async () => {
  kube.faults.add({ method: 'GET', path: CLUSTERS_EVERYWHERE, status: 500, times: 3 });
  assert.ok(kube.interruptWatches({ drop: true }) > 0, 'kube.interruptWatches({ drop: true }) > 0');
  await until('readiness reports the clusters informer', async () => {
    const ready = await readiness();
    return ready.status === 503 && /clusters: (failed|resyncing|starting)/.test(ready.cache.detail);
  });
  await adminCreate('pg-during-outage');
  const fromApi = reads('api');
  assert.ok((await clusterNames()).includes('pg-during-outage'), 'read through to the API server');
  assert.ok(reads('api') > fromApi, "reads('api') > fromApi");
  await until('the cache is synced again', async () => (await readiness()).status === 200);
  const fromCache = reads('cache');
  assert.ok((await clusterNames()).includes('pg-during-outage'), 'the re-listed cache has it');
  assert.equal(reads('cache'), fromCache + 1);
});

test('410 Gone: resuming from a compacted resourceVersion lists again, and the cache has what changed meanwhile', async () => {
  await adminCreate('pg-before-410');
  await kube.settle();
  await until('the cache has pg-before-410', async () => (await clusterNames()).includes('pg-before-410'));
  await unrelatedChange('moves-the-revision');
  const syncs = syncsOfClusters();
  // The watch reconnects late, after its history is gone and the clusters have changed.
  kube.faults.add({ method: 'GET', path: CLUSTERS_EVERYWHERE, latencyMs: 500, times: 1 });
  assert.ok(kube.interruptWatches({ expire: true }) > 0, 'kube.interruptWatches({ expire: true }) > 0');
  await stack.admin.custom.deleteNamespacedCustomObject({ ...CNPG, name: 'pg-before-410' });
  await adminCreate('pg-after-410');
  await until('the clusters informer listed again', async () => syncsOfClusters() > syncs);
  await until('it is synced', async () => (await readiness()).status === 200);
  const fromCache = reads('cache');
  const names = await clusterNames();
  assert.equal(reads('cache'), fromCache + 1, 'served from the cache');
  assert.ok(names.includes('pg-after-410'), "names.includes('pg-after-410')");
  assert.ok(!names.includes('pg-before-410'), 'the deletion missed by the watch is not served');
});
