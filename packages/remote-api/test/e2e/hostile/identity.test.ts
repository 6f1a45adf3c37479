import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type LocalStack, startLocalStack } from '../../../../devstack/src/stack.js';
import { call, textOf as text } from '../../support/objects-support.js';
import { connectClient } from '../../support/support.js';

// Hostile colleague: mallory's account claims admin@example.com, the address of the admin the policy
// names by email, but the provider never verified it. Who mallory is must come from (iss, sub).
const SHARED = 'team-a';
const ADMINS_ONLY = 'ops';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters' } as const;

let stack: LocalStack;
let admin: Client;
let mallory: Client;

async function clusterNames(namespace: string): Promise<string[]> {
  const list = (await stack.admin.custom.listNamespacedCustomObject({ ...CNPG, namespace })) as {
    items: { metadata: { name: string } }[];
  };
  return list.items.map((item) => item.metadata.name);
}

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [SHARED, ADMINS_ONLY], stepDelayMs: 1 },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: SHARED },
      policy: {
        allowVerifiedEmail: true,
        admins: { emails: ['admin@example.com'] },
        namespaces: { everyone: [SHARED] },
      },
    },
  });
  [admin, mallory] = await Promise.all([
    stack.tokenFor('admin').then((token) => connectClient(stack.api, token)),
    stack.tokenFor('mallory').then((token) => connectClient(stack.api, token)),
  ]);
});

after(async () => {
  await Promise.all([admin?.close(), mallory?.close()]);
  await stack?.close();
});

describe('an unverified email equal to an admin’s does not make an admin', () => {
  test('whoami: the verified admin is admin, mallory with the same address is not, and they are different users', async () => {
    const adminWho = (await call(admin, 'whoami', {})).structuredContent as {
      admin: boolean;
      userId: string;
    };
    const malloryWho = (await call(mallory, 'whoami', {})).structuredContent as {
      admin: boolean;
      userId: string;
      email: string;
      namespaces: string[];
    };
    assert.equal(adminWho.admin, true);
    assert.equal(malloryWho.email, 'admin@example.com');
    assert.equal(malloryWho.admin, false);
    assert.notEqual(malloryWho.userId, adminWho.userId);
    assert.deepEqual(malloryWho.namespaces, [SHARED]);
  });

  test('mallory cannot create a cluster in the namespace only admins may use (nothing is created)', async () => {
    const allowed = await call(admin, 'cluster_create', {
      namespace: ADMINS_ONLY,
      name: 'pg-ops',
      storage_size: '1Gi',
    });
    assert.ok(!allowed.isError, text(allowed));
    const refused = await call(mallory, 'cluster_create', {
      namespace: ADMINS_ONLY,
      name: 'pg-mallory',
      storage_size: '1Gi',
    });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /Denied by policy \(rule namespace\)/);
    assert.deepEqual(await clusterNames(ADMINS_ONLY), ['pg-ops']);
  });

  test('mallory cannot change or delete the admin’s cluster in the shared namespace (it stays as it was)', async () => {
    const made = await call(admin, 'cluster_create', { name: 'pg-admin', storage_size: '1Gi', instances: 1 });
    assert.ok(!made.isError, text(made));
    const scale = await call(mallory, 'cluster_scale', { name: 'pg-admin', instances: 3 });
    assert.equal(scale.isError, true);
    assert.match(text(scale), /Denied by policy \(rule ownership\)/);
    const remove = await call(mallory, 'cluster_delete', { name: 'pg-admin', confirm: 'pg-admin' });
    assert.equal(remove.isError, true);
    const cluster = (await stack.admin.custom.getNamespacedCustomObject({
      ...CNPG,
      namespace: SHARED,
      name: 'pg-admin',
    })) as { spec: { instances: number }; metadata: { deletionTimestamp?: string } };
    assert.equal(cluster.spec.instances, 1);
    assert.equal(cluster.metadata.deletionTimestamp, undefined);
  });
});
