/**
 * Hostile colleague, quotas: a person fires many cluster_create calls at once, at one replica of
 * the remote API or spread over two, hoping the count-then-create race lets more through than
 * their clustersPerUser quota. The effect is checked in the Kubernetes API: how many Clusters exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { OWNER_LABEL } from '../../src/identity.js';
import { ledgerName } from '../../src/quota/ledger.js';
import { parseReservations } from '../../src/quota/ledger-format.js';
import { connectClient } from '../support/support.js';

const NS = 'team-q';
const LEDGER_NS = 'cnpg-mcp';
const QUOTA = 5;
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const settings = {
  env: { DEFAULT_NAMESPACE: NS, QUOTA_NAMESPACE: LEDGER_NS },
  policy: { namespaces: { everyone: [NS] }, quotas: { clustersPerUser: QUOTA } },
};

type Result = CallToolResult & { structuredContent?: Record<string, unknown> };
const textOf = (r: Result) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('clustersPerUser holds under concurrent cluster_create calls', () => {
  let stack: LocalStack;
  let replicaB: StackApi;
  const clients: Client[] = [];

  before(async () => {
    stack = await startLocalStack({
      kube: { namespaces: [NS, LEDGER_NS], stepDelayMs: 1 },
      remoteApi: settings,
    });
    replicaB = await stack.startApi(settings);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await stack.close();
  });

  async function clientFor(username: string, api: StackApi): Promise<Client> {
    const client = await connectClient(api, await stack.tokenFor(username));
    clients.push(client);
    return client;
  }

  const create = (client: Client, name: string, extra: Record<string, unknown> = {}) =>
    client.callTool({
      name: 'cluster_create',
      arguments: { name, instances: 1, storage_size: '1Gi', ...extra },
    }) as Promise<Result>;

  async function userIdOf(client: Client): Promise<string> {
    const me = (await client.callTool({ name: 'whoami', arguments: {} })) as Result;
    return String(me.structuredContent?.userId);
  }

  async function clustersOf(userId: string): Promise<string[]> {
    const list = (await stack.admin.custom.listNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'clusters',
      labelSelector: `${OWNER_LABEL}=${userId}`,
    })) as { items: { metadata: { name: string } }[] };
    return list.items.map((c) => c.metadata.name).sort();
  }

  async function pendingReservations(userId: string) {
    const configMap = await stack.admin.core.readNamespacedConfigMap({
      namespace: LEDGER_NS,
      name: ledgerName(userId),
    });
    return parseReservations(configMap);
  }

  function assertOutcomes(results: Result[]) {
    const created = results.filter((r) => !r.isError);
    const refused = results.filter((r) => r.isError);
    assert.equal(created.length, QUOTA, results.map(textOf).join('\n---\n'));
    for (const r of refused) {
      assert.match(textOf(r), /Denied by policy \(rule quota\.clustersPerUser\).*your quota is 5/s);
    }
  }

  test('12 calls at once to one replica create exactly 5 clusters', async () => {
    const alice = await clientFor('alice', stack.api);
    const userId = await userIdOf(alice);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => create(alice, `a-${i}`)));
    assertOutcomes(results);
    assert.equal((await clustersOf(userId)).length, QUOTA, 'Clusters in the Kubernetes API');
    assert.deepEqual(await pendingReservations(userId), [], 'every reservation was settled');

    const dryRun = await create(alice, 'a-dry', { dry_run: true });
    assert.equal(dryRun.isError, true);
    assert.match(textOf(dryRun), /quota\.clustersPerUser/);
    const later = await create(alice, 'a-later');
    assert.equal(later.isError, true);
    assert.equal((await clustersOf(userId)).length, QUOTA);
  });

  test('12 calls at once spread over two replicas create exactly 5 clusters', async () => {
    const [viaA, viaB] = await Promise.all([clientFor('bob', stack.api), clientFor('bob', replicaB)]);
    const userId = await userIdOf(viaA);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => create(i % 2 === 0 ? viaA : viaB, `b-${i}`)),
    );
    assertOutcomes(results);
    assert.equal((await clustersOf(userId)).length, QUOTA, 'Clusters in the Kubernetes API');
  });
});
