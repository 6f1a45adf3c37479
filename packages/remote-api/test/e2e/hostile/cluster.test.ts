/**
 * Hostile colleague, cluster lifecycle: bob shares a namespace with alice and tries to make her
 * clusters his (objects planted under names her cluster will use, leftovers of his own cluster of
 * the same name), or to run code of his choosing through what a cluster runs (images, catalogs,
 * code-loading parameters); and a person tries to slip past the instance quota or leave admission
 * validation off with the guided shrink. Every outcome is read back from the Kubernetes API.
 * (12 concurrent cluster_create calls against clustersPerUser: quota-concurrency.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type LocalStack, startLocalStack } from '../../../../devstack/src/stack.js';
import { OWNER_LABEL } from '../../../src/identity.js';
import { call, ok, fails as refused, textOf as text } from '../../support/objects-support.js';
import { connectClient } from '../../support/support.js';

const NS = 'team-h';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const NAMING_PLURALS = {
  ScheduledBackup: 'scheduledbackups',
  Pooler: 'poolers',
  Database: 'databases',
  Publication: 'publications',
  Subscription: 'subscriptions',
  DatabaseRole: 'databaseroles',
} as const;

// biome-ignore lint/suspicious/noExplicitAny: assertions walk tool results.
type Loose = any;
interface Meta {
  name: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid: string }[];
}
interface Obj {
  metadata: Meta;
  spec?: Loose;
}

let stack: LocalStack;
let alice: Client;
let bob: Client;
let aliceId: string;
let bobId: string;

async function cluster(name: string): Promise<Obj | undefined> {
  try {
    return (await stack.admin.custom.getNamespacedCustomObject({
      ...CNPG,
      plural: 'clusters',
      namespace: NS,
      name,
    })) as Obj;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** Every object that names `clusterName` (spec.cluster.name), and the Secrets labelled for it, as "Kind name owner". */
async function namingObjects(clusterName: string): Promise<string[]> {
  const found: string[] = [];
  for (const [kind, plural] of Object.entries(NAMING_PLURALS)) {
    const list = (await stack.admin.custom.listNamespacedCustomObject({
      ...CNPG,
      plural,
      namespace: NS,
    })) as {
      items: Obj[];
    };
    for (const item of list.items) {
      if ((item.spec?.cluster as { name?: string } | undefined)?.name === clusterName) {
        found.push(`${kind} ${item.metadata.name} ${item.metadata.labels?.[OWNER_LABEL] ?? '-'}`);
      }
    }
  }
  const secrets = await stack.admin.core.listNamespacedSecret({
    namespace: NS,
    labelSelector: `cnpg.io/cluster=${clusterName}`,
  });
  for (const secret of secrets.items) {
    found.push(`Secret ${secret.metadata?.name} ${secret.metadata?.labels?.[OWNER_LABEL] ?? '-'}`);
  }
  return found.sort();
}

/** What an administrator (kubectl) leaves in the namespace: an object labelled as `owner`'s. */
async function plant(
  plural: string,
  kind: string,
  name: string,
  owner: string,
  spec: Record<string, unknown>,
) {
  await stack.admin.custom.createNamespacedCustomObject({
    ...CNPG,
    plural,
    namespace: NS,
    body: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind,
      metadata: { name, labels: { [OWNER_LABEL]: owner } },
      spec,
    },
  });
}

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1 },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: NS },
      policy: { namespaces: { everyone: [NS] }, quotas: { instancesPerCluster: 2 } },
    },
  });
  const clientOf = async (user: string) => connectClient(stack.api, await stack.tokenFor(user));
  [alice, bob] = await Promise.all([clientOf('alice'), clientOf('bob')]);
  const idOf = async (client: Client) => String((await ok(client, 'whoami', {})).userId);
  [aliceId, bobId] = await Promise.all([idOf(alice), idOf(bob)]);
});

after(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await stack?.close();
});

describe('names: a cluster cannot be created under Services someone else holds', () => {
  test('bob plants a Pooler named future-rw; alice’s cluster future is refused and nothing of his attaches', async () => {
    await ok(bob, 'cluster_create', {
      name: 'bobdb',
      storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    const planted = await call(bob, 'pooler_create', { name: 'future-rw', cluster: 'bobdb' });
    const pooler = async () => {
      try {
        return (await stack.admin.custom.getNamespacedCustomObject({
          ...CNPG,
          plural: 'poolers',
          namespace: NS,
          name: 'future-rw',
        })) as Obj;
      } catch {
        return undefined;
      }
    };
    if (planted.isError) {
      // The pooler side of the rule may refuse the name already: then nothing can capture it.
      assert.equal(await pooler(), undefined, 'a refused pooler_create wrote nothing');
    } else {
      await refused(
        alice,
        'cluster_create',
        { name: 'future', storage_size: '1Gi' },
        /Denied by policy \(rule names\).*Pooler future-rw/s,
      );
      assert.equal(await cluster('future'), undefined, 'no cluster future was created');
      assert.deepEqual(
        (await pooler())?.spec?.cluster,
        { name: 'bobdb' },
        'bob’s pooler still serves his cluster',
      );
    }
    assert.deepEqual(await namingObjects('future'), [], 'nothing names a cluster future');
  });
});

describe('dependents: a new cluster never inherits objects that name it', () => {
  test('bob cannot plant a Database for a cluster that does not exist yet', async () => {
    const planted = await call(bob, 'database_create', { cluster: 'future3', name: 'shop', owner: 'boss' });
    assert.equal(planted.isError, true, text(planted));
    assert.deepEqual(await namingObjects('future3'), []);
  });

  test('leftovers of bob’s that name future3 (made before owner references, or with kubectl) refuse alice’s cluster, naming each', async () => {
    await plant('databases', 'Database', 'future3-shop', bobId, {
      cluster: { name: 'future3' },
      name: 'shop',
      owner: 'boss',
    });
    await plant('databaseroles', 'DatabaseRole', 'future3-boss', bobId, {
      cluster: { name: 'future3' },
      name: 'boss',
      login: true,
      superuser: true,
    });
    await stack.admin.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name: 'future3-app', labels: { [OWNER_LABEL]: bobId } },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'app', password: 'bob-knows-this' },
      },
    });
    const message = await refused(
      alice,
      'cluster_create',
      { name: 'future3', storage_size: '1Gi' },
      /Denied by policy \(rule dependents\)/,
    );
    for (const named of ['Database future3-shop', 'DatabaseRole future3-boss', 'Secret future3-app']) {
      assert.ok(message.includes(`${named} (created by ${bobId})`), `${named} is named: ${message}`);
    }
    assert.equal(await cluster('future3'), undefined, 'no cluster future3 was created');

    // Once they are gone the name is free: the refusal was about them, not the name.
    for (const [plural, name] of [
      ['databases', 'future3-shop'],
      ['databaseroles', 'future3-boss'],
    ] as const) {
      await stack.admin.custom.deleteNamespacedCustomObject({ ...CNPG, plural, namespace: NS, name });
      await stack.kube.settle();
    }
    await stack.admin.core.deleteNamespacedSecret({ namespace: NS, name: 'future3-app' });
    await stack.kube.settle();
    await ok(alice, 'cluster_create', { name: 'future3', storage_size: '1Gi', dry_run: true });
  });

  test('bob’s cluster goes with its roles, databases, pooler, publication and schedule; alice’s cluster of the same name has none of them', async () => {
    await ok(bob, 'cluster_create', {
      name: 'inventory',
      storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    await ok(bob, 'role_create', {
      cluster: 'inventory',
      name: 'boss',
      wait: true,
      wait_timeout_seconds: 30,
    });
    await ok(bob, 'database_create', {
      cluster: 'inventory',
      name: 'shop',
      owner: 'boss',
      wait: true,
      wait_timeout_seconds: 30,
    });
    await ok(bob, 'pooler_create', { cluster: 'inventory', name: 'inventory-pool' });
    // A platform administrator gave the cluster a backup configuration; bob schedules backups.
    await stack.admin.custom.patchNamespacedCustomObject(
      {
        ...CNPG,
        plural: 'clusters',
        namespace: NS,
        name: 'inventory',
        body: { spec: { backup: { volumeSnapshot: { className: 'csi-snapclass' } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await ok(bob, 'scheduled_backup_create', {
      cluster: 'inventory',
      name: 'inventory-nightly',
      schedule: '0 0 2 * * *',
    });
    await ok(bob, 'publication_create', {
      cluster: 'inventory',
      name: 'orders',
      database: 'shop',
      all_tables: true,
    });
    const bobs = await namingObjects('inventory');
    for (const kind of ['DatabaseRole', 'Database', 'Pooler', 'Publication', 'ScheduledBackup', 'Secret']) {
      assert.ok(
        bobs.some((o) => o.startsWith(`${kind} `) && o.endsWith(bobId)),
        `bob has a ${kind}: ${bobs}`,
      );
    }

    const deleted = await ok(bob, 'cluster_delete', { name: 'inventory', confirm: 'inventory' });
    const dependents = deleted.dependents as string[];
    for (const kind of ['DatabaseRole', 'Database', 'Pooler', 'Publication', 'ScheduledBackup']) {
      assert.ok(
        dependents.some((d) => d.startsWith(`${kind} `)),
        `the result lists the ${kind}: ${dependents}`,
      );
    }
    assert.deepEqual(deleted.leftBehind, []);
    await stack.kube.settle();
    assert.deepEqual(
      await namingObjects('inventory'),
      [],
      'Kubernetes removed bob’s dependents with his cluster',
    );

    await ok(alice, 'cluster_create', {
      name: 'inventory',
      storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    await stack.kube.settle();
    const hers = await namingObjects('inventory');
    assert.ok(
      hers.every((o) => !o.endsWith(bobId)),
      `nothing of bob’s names alice’s inventory: ${hers}`,
    );
    assert.equal((await cluster('inventory'))?.metadata.labels?.[OWNER_LABEL], aliceId);
  });
});

describe('dangerous power: what a cluster runs', () => {
  test('an image from another registry, or a look-alike repository, is refused and no Cluster exists', async () => {
    for (const [name, image] of [
      ['img-docker', 'docker.io/library/postgres:17'],
      ['img-lookalike', 'ghcr.io/cloudnative-pg/postgresql-custom:17.5'],
    ] as const) {
      await refused(
        alice,
        'cluster_create',
        { name, image, storage_size: '1Gi' },
        /rule images\).*images\.registries/s,
      );
      assert.equal(await cluster(name), undefined);
    }
  });

  test('a catalog not made by an administrator is refused; an administrator’s is not', async () => {
    const images = [{ major: 17, image: 'docker.io/bob/postgres-with-extras:17' }];
    await plant('imagecatalogs', 'ImageCatalog', 'bobs-images', bobId, { images });
    await refused(
      alice,
      'cluster_create',
      {
        name: 'img-catalog',
        storage_size: '1Gi',
        image_catalog: { kind: 'ImageCatalog', name: 'bobs-images', major: 17 },
      },
      /rule images\).*images\.catalogs/s,
    );
    assert.equal(await cluster('img-catalog'), undefined);
    await stack.admin.custom.createNamespacedCustomObject({
      ...CNPG,
      plural: 'imagecatalogs',
      namespace: NS,
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ImageCatalog',
        metadata: { name: 'approved' },
        spec: { images: [{ major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie' }] },
      },
    });
    await ok(alice, 'cluster_create', {
      name: 'img-catalog',
      storage_size: '1Gi',
      image_catalog: { kind: 'ImageCatalog', name: 'approved', major: 17 },
      dry_run: true,
    });
  });

  test('code-loading parameters are refused at create and on an existing cluster; nothing is written', async () => {
    for (const [name, parameters, rule] of [
      ['param-archive', { archive_library: 'basebackup_to_shell' }, /rule parameters\).*archive_library/s],
      [
        'param-session',
        { session_preload_libraries: 'auto_explain' },
        /rule parameters\).*session_preload_libraries/s,
      ],
      ['param-shared', { shared_preload_libraries: 'evil' }, /shared_preload_libraries is managed/],
    ] as const) {
      await refused(alice, 'cluster_create', { name, storage_size: '1Gi', parameters }, rule);
      assert.equal(await cluster(name), undefined);
    }
    await ok(alice, 'cluster_create', {
      name: 'params',
      storage_size: '1Gi',
      parameters: { work_mem: '4MB' },
    });
    const before = JSON.stringify((await cluster('params'))?.spec);
    await refused(
      alice,
      'cluster_set_parameters',
      { name: 'params', parameters: { dynamic_library_path: '/tmp' } },
      /rule parameters\)/,
    );
    await refused(
      alice,
      'cluster_image_upgrade',
      { name: 'params', image: 'docker.io/library/postgres:18' },
      /rule images\)/,
    );
    assert.equal(JSON.stringify((await cluster('params'))?.spec), before, 'the cluster is unchanged');
  });
});

describe('the guided shrink: its extra instance and its validation bypass', () => {
  const annotations = async (name: string) => (await cluster(name))?.metadata.annotations ?? {};

  test('the extra instance counts against instancesPerCluster: refused, and nothing is left on the cluster', async () => {
    await ok(alice, 'cluster_create', {
      name: 'full',
      instances: 2,
      storage_size: '4Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    const before = JSON.stringify((await cluster('full'))?.spec);
    await refused(
      alice,
      'cluster_storage_shrink',
      { name: 'full', storage_size: '2Gi', confirm: 'full' },
      /rule quota\.instancesPerCluster\).*3 instances exceed your quota of 2/s,
    );
    assert.equal(JSON.stringify((await cluster('full'))?.spec), before, 'spec unchanged');
    const after = await annotations('full');
    assert.equal(after['cnpg.io/validation'], undefined, 'validation was never switched off');
    assert.equal(after['cnpg-mcp.io/storage-shrink-target'], undefined);
  });

  test('starting a shrink switches validation back on at once', async () => {
    await ok(alice, 'cluster_create', {
      name: 'slim',
      instances: 1,
      storage_size: '4Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    const started = await ok(alice, 'cluster_storage_shrink', {
      name: 'slim',
      storage_size: '2Gi',
      confirm: 'slim',
    });
    assert.equal(started.validation.disabled, false);
    const now = await cluster('slim');
    assert.equal(now?.metadata.annotations?.['cnpg.io/validation'], undefined, 'validation is on');
    assert.equal(now?.metadata.annotations?.['cnpg-mcp.io/storage-shrink-target'], '2Gi');
    assert.equal(now?.spec?.storage?.size, '2Gi');
    assert.equal(now?.spec?.instances, 2);
  });

  test('a bypass left past its time is switched back on by the owner’s next status call, never by a reader', async () => {
    const leave = (until: string) =>
      stack.admin.custom.patchNamespacedCustomObject(
        {
          ...CNPG,
          plural: 'clusters',
          namespace: NS,
          name: 'slim',
          body: {
            metadata: {
              annotations: {
                'cnpg.io/validation': 'disabled',
                'cnpg-mcp.io/validation-disabled-until': until,
              },
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await leave(new Date(Date.now() - 1000).toISOString());
    const seenByBob = await ok(bob, 'cluster_storage_shrink_status', { name: 'slim' });
    assert.equal(seenByBob.validation.disabled, true);
    assert.equal(
      (await annotations('slim'))['cnpg.io/validation'],
      'disabled',
      'a reader who may not change it changes nothing',
    );

    const seenByAlice = await ok(alice, 'cluster_status', { name: 'slim' });
    assert.deepEqual(seenByAlice.validation, {
      disabled: false,
      disabledUntil: '',
      restored: true,
    });
    assert.equal(
      (await annotations('slim'))['cnpg.io/validation'],
      undefined,
      'switched back on in Kubernetes',
    );
    assert.equal((await annotations('slim'))['cnpg-mcp.io/validation-disabled-until'], undefined);

    await leave(new Date(Date.now() - 1000).toISOString());
    const shrinkStatus = await ok(alice, 'cluster_storage_shrink_status', { name: 'slim' });
    assert.equal(shrinkStatus.validation.restored, true);
    assert.equal((await annotations('slim'))['cnpg.io/validation'], undefined);

    await leave(new Date(Date.now() - 1000).toISOString());
    const step = await ok(alice, 'cluster_storage_shrink', {
      name: 'slim',
      storage_size: '2Gi',
      confirm: 'slim',
    });
    assert.equal(step.validation.restored, true);
    assert.equal(
      (await annotations('slim'))['cnpg.io/validation'],
      undefined,
      'the next shrink step restores it too',
    );
  });
});

describe('reads: owned', () => {
  test('with reads: owned, bob neither lists nor reads alice’s clusters', async () => {
    const owned = await stack.startApi({
      env: { DEFAULT_NAMESPACE: NS },
      policy: { namespaces: { everyone: [NS] }, reads: 'owned' },
    });
    const bobOwned = await connectClient(owned, await stack.tokenFor('bob'));
    const aliceOwned = await connectClient(owned, await stack.tokenFor('alice'));
    try {
      const aliceClusters = (await ok(aliceOwned, 'cluster_list', {})).clusters.map((c: Loose) => c.name);
      assert.ok(aliceClusters.includes('slim'), `alice lists her own: ${aliceClusters}`);
      const listed = (await ok(bobOwned, 'cluster_list', { all_namespaces: true })).clusters.map(
        (c: Loose) => c.owner,
      );
      assert.ok(
        listed.length > 0 && listed.every((owner: string) => owner === bobId),
        `bob lists only his: ${listed}`,
      );
      for (const tool of ['cluster_status', 'cluster_storage_shrink_status']) {
        await refused(bobOwned, tool, { name: 'slim' }, /Denied by policy \(rule reads\)/);
      }
    } finally {
      await Promise.all([bobOwned.close(), aliceOwned.close()]);
    }
  });
});
