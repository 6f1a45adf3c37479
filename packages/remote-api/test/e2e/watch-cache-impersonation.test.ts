/**
 * Reads served from the watch cache still obey the impersonated caller's Kubernetes RBAC: the
 * cache lists everything as the service account, and a SelfSubjectAccessReview sent as the caller
 * decides whether they get it from there; otherwise the read goes to the API server as them, which
 * refuses. Checked by what each caller actually receives.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RbacPolicy } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

const NS = 'team-a';
const CLUSTERS = {
  verbs: ['get', 'list'],
  apiGroups: ['postgresql.cnpg.io'],
  resources: ['clusters'],
  namespaces: [NS],
};
const RBAC: RbacPolicy = {
  users: {
    // alice may read every cluster in team-a; bob only pg-a, by name (no list).
    'alice@example.com': [CLUSTERS],
    'bob@example.com': [{ ...CLUSTERS, verbs: ['get'], resourceNames: ['pg-a'] }],
  },
};

let stack: LocalStack;
let api: StackApi;
let alice: Client;
let bob: Client;

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 0, rbac: RBAC },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: NS, IMPERSONATION: 'email', READ_CACHE_ACCESS_TTL_SECONDS: '1' },
    },
  });
  api = stack.api;
  for (const name of ['pg-a', 'pg-b']) {
    await stack.admin.custom.createNamespacedCustomObject({
      group: 'postgresql.cnpg.io',
      version: 'v1',
      namespace: NS,
      plural: 'clusters',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name },
        spec: { instances: 1, storage: { size: '1Gi' } },
      },
    });
  }
  await stack.kube.settle();
  alice = await connectClient(api, await stack.tokenFor('alice'));
  bob = await connectClient(api, await stack.tokenFor('bob'));
});

after(async () => {
  await alice.close();
  await bob.close();
  await stack.close();
});

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (result: CallToolResult) => JSON.stringify(result.content);
const fromCache = () => api.metrics.cacheReads.get({ resource: 'clusters', source: 'cache' });

test('a caller RBAC lets list clusters gets them from the cache', async () => {
  await call(alice, 'cluster_list', {});
  const before = fromCache();
  const list = await call(alice, 'cluster_list', {});
  assert.ok(!list.isError, text(list));
  const names = (list.structuredContent as { clusters: { name: string }[] }).clusters.map((c) => c.name);
  assert.deepEqual(names, ['pg-a', 'pg-b']);
  assert.equal(fromCache(), before + 1, 'served from the cache');
});

test('a caller RBAC does not let list clusters gets none, although the cache holds them', async () => {
  const list = await call(bob, 'cluster_list', {});
  assert.equal(list.isError, true);
  assert.match(text(list), /User \\"bob@example\.com\\" cannot list/);
  assert.equal(list.structuredContent, undefined);
  assert.doesNotMatch(text(list), /pg-b/);
});

test('RBAC on one name: that cluster is read (from the cache), another is refused', async () => {
  const before = fromCache();
  const own = await call(bob, 'cluster_status', { name: 'pg-a' });
  assert.ok(!own.isError, text(own));
  assert.equal((own.structuredContent as { cluster: { name: string } }).cluster.name, 'pg-a');
  assert.ok(fromCache() > before, 'pg-a came from the cache');
  const other = await call(bob, 'cluster_status', { name: 'pg-b' });
  assert.equal(other.isError, true);
  assert.match(text(other), /User \\"bob@example\.com\\" cannot get/);
  assert.equal(other.structuredContent, undefined);
});

test('RBAC taken away is obeyed once the cached answer expires (READ_CACHE_ACCESS_TTL_SECONDS)', async () => {
  assert.ok(
    !(await call(alice, 'cluster_list', {})).isError,
    "!(await call(alice, 'cluster_list', {})).isError",
  );
  stack.kube.setRbac({ users: { 'bob@example.com': RBAC.users!['bob@example.com']! } });
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const list = await call(alice, 'cluster_list', {});
  assert.equal(list.isError, true, 'alice lost list on clusters');
  assert.match(text(list), /User \\"alice@example\.com\\" cannot list/);
  assert.equal(list.structuredContent, undefined);
  stack.kube.setRbac(RBAC);
});
