/**
 * Hostile colleague, poolers and logical replication: bob shares a namespace with alice and tries
 * to put a pooler in place of her cluster's Services, to hang poolers, publications and
 * subscriptions on her cluster, to open a pooler with settings that let anyone in or run SQL of
 * his choosing, and to change or delete what she made. Every outcome is read back from the
 * Kubernetes API as its administrator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type LocalStack, startLocalStack } from '../../../../devstack/src/stack.js';
import { fails, ok } from '../../support/objects-support.js';
import { connectClient } from '../../support/support.js';

const NS = 'team-p';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const POLICY = { namespaces: { everyone: [NS] }, ownership: { enforced: true } };

interface Obj {
  metadata: {
    name: string;
    uid: string;
    resourceVersion: string;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  spec: Record<string, unknown> & { pgbouncer?: Record<string, unknown> };
}

let stack: LocalStack;
let alice: Client;
let bob: Client;

async function getCr(plural: string, name: string): Promise<Obj | undefined> {
  try {
    return (await stack.admin.custom.getNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural,
      name,
    })) as Obj;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** The names of the objects of `plural` that name `cluster` in spec.cluster.name. */
async function namingCluster(plural: string, cluster: string): Promise<string[]> {
  const list = (await stack.admin.custom.listNamespacedCustomObject({ ...CNPG, namespace: NS, plural })) as {
    items: Obj[];
  };
  return list.items
    .filter((o) => (o.spec.cluster as { name?: string } | undefined)?.name === cluster)
    .map((o) => o.metadata.name)
    .sort();
}

/** A Service as Kubernetes holds it: who owns it, what it selects, its version. */
async function service(name: string) {
  const svc = await stack.admin.core.readNamespacedService({ namespace: NS, name });
  return {
    resourceVersion: svc.metadata?.resourceVersion,
    owners: svc.metadata?.ownerReferences?.map((ref) => `${ref.kind}/${ref.name}`),
    selector: svc.spec?.selector,
  };
}

async function ownCluster(client: Client, name: string) {
  await ok(client, 'cluster_create', { name, storage_size: '1Gi', wait: true, wait_timeout_seconds: 60 });
}

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1 },
    remoteApi: { env: { DEFAULT_NAMESPACE: NS }, policy: POLICY },
  });
  const [aliceToken, bobToken] = await Promise.all([stack.tokenFor('alice'), stack.tokenFor('bob')]);
  [alice, bob] = await Promise.all([
    connectClient(stack.api, aliceToken),
    connectClient(stack.api, bobToken),
  ]);
  await Promise.all([ownCluster(alice, 'shop'), ownCluster(bob, 'bobdb')]);
  // A platform administrator declared where shop may subscribe from.
  await stack.admin.custom.patchNamespacedCustomObject(
    {
      ...CNPG,
      namespace: NS,
      plural: 'clusters',
      name: 'shop',
      body: {
        spec: {
          externalClusters: [{ name: 'source', connectionParameters: { host: 'bobdb-rw', dbname: 'app' } }],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await ok(alice, 'pooler_create', { name: 'shop-pooler', cluster: 'shop' });
  await ok(alice, 'publication_create', {
    cluster: 'shop',
    name: 'orders',
    database: 'app',
    all_tables: true,
  });
  await ok(alice, 'subscription_create', {
    cluster: 'shop',
    name: 'feed',
    database: 'app',
    publication: 'upstream',
    external_cluster: 'source',
  });
  await ok(bob, 'pooler_create', { name: 'bobdb-pooler', cluster: 'bobdb' });
  await stack.kube.settle();
});

after(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await stack?.close();
});

describe('names: a pooler cannot stand in for a cluster', () => {
  test('bob’s pooler named alice’s cluster or one of its Services is refused; no Pooler exists, her Services are untouched', async () => {
    const services = Object.fromEntries(
      await Promise.all(['shop-rw', 'shop-ro', 'shop-r'].map(async (name) => [name, await service(name)])),
    );
    assert.deepEqual(services['shop-rw']?.owners, ['Cluster/shop']);
    for (const name of ['shop-rw', 'shop-ro', 'shop-r', 'shop']) {
      await fails(
        bob,
        'pooler_create',
        { name, cluster: 'bobdb' },
        new RegExp(`rule names\\): name: "${name}" is the name of (a cluster|a Service of cluster shop)`),
      );
      assert.equal(await getCr('poolers', name), undefined, `no Pooler ${name} in Kubernetes`);
    }
    await stack.kube.settle();
    for (const [name, before] of Object.entries(services)) {
      assert.deepEqual(await service(name), before, `Service ${name} unchanged`);
    }
    assert.deepEqual(await namingCluster('poolers', 'bobdb'), ['bobdb-pooler']);
  });
});

describe('bob cannot hang objects on alice’s cluster', () => {
  test('a pooler, publication or subscription for her cluster is refused; nothing names it but hers', async () => {
    const before = await Promise.all(
      ['poolers', 'publications', 'subscriptions'].map((plural) => namingCluster(plural, 'shop')),
    );
    assert.deepEqual(before, [['shop-pooler'], ['shop-orders'], ['shop-feed']]);
    await fails(bob, 'pooler_create', { name: 'bob-at-shop', cluster: 'shop' }, /rule ownership/);
    await fails(
      bob,
      'publication_create',
      { cluster: 'shop', name: 'grab', database: 'app', all_tables: true },
      /rule ownership/,
    );
    await fails(
      bob,
      'subscription_create',
      { cluster: 'shop', name: 'inject', database: 'app', publication: 'evil', external_cluster: 'source' },
      /rule ownership/,
    );
    const after = await Promise.all(
      ['poolers', 'publications', 'subscriptions'].map((plural) => namingCluster(plural, 'shop')),
    );
    assert.deepEqual(after, before);
    assert.equal(await getCr('poolers', 'bob-at-shop'), undefined);
    assert.equal(await getCr('publications', 'shop-grab'), undefined);
    assert.equal(await getCr('subscriptions', 'shop-inject'), undefined);
  });
});

describe('PgBouncer settings that let clients in or run SQL are admin-only', () => {
  const dangerous = [
    [
      'auth_type trust',
      { parameters: { auth_type: 'trust' } },
      /rule poolerSettings.*policy key poolerSettings\.parameters/,
    ],
    [
      'server_check_query',
      { parameters: { server_check_query: 'select pg_sleep(1)' } },
      /rule poolerSettings.*server_check_query.*policy key poolerSettings\.parameters/,
    ],
    [
      'a trust pg_hba line',
      { pg_hba: ['host all all 0.0.0.0/0 trust'] },
      /rule poolerSettings.*pg_hba.*policy key poolerSettings\.weakHbaMethods/,
    ],
  ] as const;

  test('pooler_create with each, on bob’s own cluster, is refused and creates nothing', async () => {
    for (const [what, settings, pattern] of dangerous) {
      const name = `bobdb-open-${what.split(' ')[0]?.replace(/_/g, '-')}`;
      await fails(bob, 'pooler_create', { name, cluster: 'bobdb', ...settings }, pattern);
      assert.equal(await getCr('poolers', name), undefined, `${what}: no Pooler ${name}`);
    }
    // Safe values of the same settings stay open.
    await ok(bob, 'pooler_create', {
      name: 'bobdb-scram',
      cluster: 'bobdb',
      parameters: { auth_type: 'scram-sha-256' },
      pg_hba: ['host all all 10.0.0.0/8 scram-sha-256'],
      dry_run: true,
    });
  });

  test('pooler_update cannot set them on bob’s own pooler either; it is unchanged', async () => {
    const before = await getCr('poolers', 'bobdb-pooler');
    assert.ok(before, 'before');
    for (const [, settings, pattern] of dangerous) {
      await fails(bob, 'pooler_update', { name: 'bobdb-pooler', ...settings }, pattern);
    }
    const now = await getCr('poolers', 'bobdb-pooler');
    assert.deepEqual(now?.spec.pgbouncer, before.spec.pgbouncer);
    assert.equal(now?.metadata.resourceVersion, before.metadata.resourceVersion, 'not written at all');
  });
});

describe('bob cannot change or delete what alice made', () => {
  /** Runs `attempts`, then checks that each object is still there at the version it had. */
  async function unchanged(objects: readonly (readonly [string, string])[], attempts: () => Promise<void>) {
    const before = await Promise.all(objects.map(([plural, name]) => getCr(plural, name)));
    await attempts();
    const after = await Promise.all(objects.map(([plural, name]) => getCr(plural, name)));
    objects.forEach(([plural, name], i) => {
      assert.ok(after[i], `${plural}/${name} still there`);
      assert.equal(
        after[i]?.metadata.resourceVersion,
        before[i]?.metadata.resourceVersion,
        `${name} unchanged`,
      );
    });
  }

  test('update, scale and delete of her pooler are refused; it is unchanged', async () => {
    await unchanged([['poolers', 'shop-pooler']], async () => {
      await fails(bob, 'pooler_update', { name: 'shop-pooler', paused: true }, /rule ownership/);
      await fails(bob, 'pooler_scale', { name: 'shop-pooler', instances: 0 }, /rule ownership/);
      await fails(bob, 'pooler_delete', { name: 'shop-pooler', confirm: 'shop-pooler' }, /rule ownership/);
    });
  });

  test('delete of her publication and subscription (drop or keep) is refused; they are unchanged', async () => {
    const objects = [
      ['publications', 'shop-orders'],
      ['subscriptions', 'shop-feed'],
    ] as const;
    await unchanged(objects, async () => {
      for (const drop of [true, false]) {
        await fails(
          bob,
          'publication_delete',
          { cluster: 'shop', name: 'orders', confirm: 'orders', drop },
          /rule ownership/,
        );
        await fails(
          bob,
          'subscription_delete',
          { cluster: 'shop', name: 'feed', confirm: 'feed', drop },
          /rule ownership/,
        );
      }
    });
  });
});

describe('dependents: they go with their cluster', () => {
  test('her pooler, publication and subscription are owned by her Cluster and deleted with it', async () => {
    const shop = await getCr('clusters', 'shop');
    assert.ok(shop, 'shop');
    const dependents = [
      ['poolers', 'shop-pooler'],
      ['publications', 'shop-orders'],
      ['subscriptions', 'shop-feed'],
    ] as const;
    for (const [plural, name] of dependents) {
      assert.deepEqual(
        (await getCr(plural, name))?.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}/${r.uid}`),
        [`Cluster/shop/${shop.metadata.uid}`],
        `${plural}/${name} is a dependent of shop`,
      );
    }
    await ok(alice, 'cluster_delete', { name: 'shop', confirm: 'shop' });
    await stack.kube.settle();
    for (const [plural, name] of dependents) {
      assert.equal(await getCr(plural, name), undefined, `${plural}/${name} went with its cluster`);
    }
  });
});
