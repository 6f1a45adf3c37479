import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../../devstack/src/stack.js';
import { fails, ok } from '../../support/objects-support.js';
import { connectClient } from '../../support/support.js';

// Hostile colleague, issue 12's headline: bob restores alice's backup into a cluster he owns and
// reads her data through it. Every refusal is checked in the Kubernetes API, read as its admin.
const NS = 'team-a';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const PLUGIN = 'barman-cloud.cloudnative-pg.io';
const OWNER = 'cnpg-mcp.io/created-by';
const POLICY = { namespaces: { everyone: [NS] }, ownership: { enforced: true } };

interface AuditRecord {
  tool: string;
  name: string;
  userId: string;
  outcome: string;
  reason: string;
  references: string[];
  writes: string[];
}

let stack: LocalStack;
let alice: Client;
let bob: Client;
/** bob on a server whose policy lets everyone use objects made outside cnpg-mcp. */
let bobUnlabelledOk: Client;
let bobUnlabelledApi: StackApi;
/** alice on a server with a quota of three clusters per user. */
let aliceQuota3: Client;

async function getCr(plural: string, name: string) {
  try {
    return (await stack.admin.custom.getNamespacedCustomObject({ ...CNPG, namespace: NS, plural, name })) as {
      metadata: { resourceVersion: string; labels?: Record<string, string> };
      spec: Record<string, unknown>;
      status?: { phase?: string; majorVersion?: number };
    };
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** Polls `condition` for up to five seconds (the emulator reconciles in milliseconds). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 50));
}

async function clusterNames(): Promise<string[]> {
  const list = (await stack.admin.custom.listNamespacedCustomObject({
    ...CNPG,
    namespace: NS,
    plural: 'clusters',
  })) as {
    items: { metadata: { name: string } }[];
  };
  return list.items.map((c) => c.metadata.name).sort();
}

async function secretNames(): Promise<string[]> {
  const list = await stack.admin.core.listNamespacedSecret({ namespace: NS });
  return list.items.map((s) => s.metadata?.name ?? '');
}

async function adminPatch(plural: string, name: string, body: Record<string, unknown>) {
  await stack.admin.custom.patchNamespacedCustomObject(
    { ...CNPG, namespace: NS, plural, name, body },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** A cluster alice made through cnpg-mcp, with backups configured by an administrator. */
async function aliceBackedUpCluster(name: string, backup: Record<string, unknown> = {}) {
  await ok(alice, 'cluster_create', {
    name,
    instances: 1,
    storage_size: '1Gi',
    wait: true,
    wait_timeout_seconds: 60,
  });
  await adminPatch('clusters', name, {
    spec: {
      plugins: [{ name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'alice-store' } }],
      backup: { volumeSnapshot: { className: 'csi-snapshots' }, ...backup },
    },
  });
  await stack.kube.settle();
}

async function completedBackup(client: Client, cluster: string, name: string, method?: string) {
  const out = await ok(client, 'backup_create', {
    cluster,
    name,
    ...(method ? { method } : {}),
    wait: true,
    wait_timeout_seconds: 60,
  });
  assert.equal(out.backup.phase, 'completed');
}

/** A completed Backup an administrator made with kubectl: no cnpg-mcp owner label. */
async function adminBackup(name: string, cluster: string, spec: Record<string, unknown>) {
  await stack.admin.custom.createNamespacedCustomObject({
    ...CNPG,
    namespace: NS,
    plural: 'backups',
    body: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name },
      spec: { cluster: { name: cluster }, ...spec },
    },
  });
  await until(async () => (await getCr('backups', name))?.status?.phase === 'completed');
  assert.equal((await getCr('backups', name))?.status?.phase, 'completed');
}

function auditOf(api: StackApi, tool: string, name: string): AuditRecord[] {
  return api.audit.records<AuditRecord>().filter((r) => r.tool === tool && r.name === name);
}

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1 },
    remoteApi: { env: { DEFAULT_NAMESPACE: NS }, policy: POLICY },
  });
  bobUnlabelledApi = await stack.startApi({
    env: { DEFAULT_NAMESPACE: NS },
    policy: { ...POLICY, ownership: { enforced: true, unlabelled: 'everyone' } },
  });
  const quotaApi = await stack.startApi({
    env: { DEFAULT_NAMESPACE: NS },
    policy: { ...POLICY, quotas: { clustersPerUser: 3 } },
  });
  const [aliceToken, bobToken] = await Promise.all([stack.tokenFor('alice'), stack.tokenFor('bob')]);
  [alice, bob, bobUnlabelledOk, aliceQuota3] = await Promise.all([
    connectClient(stack.api, aliceToken),
    connectClient(stack.api, bobToken),
    connectClient(bobUnlabelledApi, bobToken),
    connectClient(quotaApi, aliceToken),
  ]);
  // The administrator's object store the clusters archive to (no owner label: shared).
  await stack.admin.custom.createNamespacedCustomObject({
    group: 'barmancloud.cnpg.io',
    version: 'v1',
    namespace: NS,
    plural: 'objectstores',
    body: {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name: 'alice-store' },
      spec: { configuration: { destinationPath: 's3://alice/' } },
    },
  });
  await aliceBackedUpCluster('ledger');
  await completedBackup(alice, 'ledger', 'ledger-nightly');
});

after(async () => {
  await Promise.all([alice?.close(), bob?.close(), bobUnlabelledOk?.close(), aliceQuota3?.close()]);
  await stack?.close();
});

describe('bob cannot copy alice’s data through a restore', () => {
  test('restoring alice’s backup into a cluster bob would own is refused; no such cluster exists, so there is no credential to reveal', async () => {
    const before = await clusterNames();
    await fails(bob, 'backup_restore', { name: 'bob-copy', backup: 'ledger-nightly' }, /rule ownership/);
    await fails(
      bob,
      'backup_restore',
      { name: 'bob-copy', backup: 'ledger-nightly', wait: true, wait_timeout_seconds: 10 },
      /rule ownership/,
    );
    assert.equal(await getCr('clusters', 'bob-copy'), undefined, 'no Cluster bob-copy in Kubernetes');
    assert.deepEqual(await clusterNames(), before);
    await fails(bob, 'credential_reveal', { cluster: 'bob-copy' }, /not found/);
    assert.ok(!(await secretNames()).some((s) => s.startsWith('bob-copy')), 'no Secret of bob-copy');
    const [denied] = auditOf(stack.api, 'backup_restore', 'bob-copy');
    assert.equal(denied?.outcome, 'denied');
    assert.ok(denied?.references.includes(`use Backup ${NS}/ledger-nightly`), JSON.stringify(denied));
    assert.deepEqual(denied?.writes, []);
  });

  test('a backup that outlived its cluster is still alice’s: bob’s restore of it is refused', async () => {
    // The in-tree object store: its restore needs only the Backup (the plugin's needs the source cluster).
    await aliceBackedUpCluster('archive', {
      barmanObjectStore: {
        destinationPath: 's3://alice-archive/',
        s3Credentials: { inheritFromIAMRole: true },
      },
    });
    await completedBackup(alice, 'archive', 'archive-final', 'barmanObjectStore');
    await adminBackup('archive-manual', 'archive', { method: 'barmanObjectStore' });
    await ok(alice, 'scheduled_backup_create', {
      cluster: 'archive',
      name: 'archive-daily',
      schedule: '@daily',
    });
    await ok(alice, 'cluster_delete', { name: 'archive', confirm: 'archive' });
    await until(async () => (await getCr('clusters', 'archive')) === undefined);
    assert.equal(await getCr('clusters', 'archive'), undefined, 'the source cluster is gone');
    assert.ok(await getCr('backups', 'archive-final'), 'the backup outlives it');
    await fails(
      bob,
      'backup_restore',
      { name: 'bob-archive', backup: 'archive-final', storage_size: '1Gi' },
      /rule ownership/,
    );
    assert.equal(await getCr('clusters', 'bob-archive'), undefined);
  });

  test('her schedule went with the deleted cluster, so no later cluster named archive inherits it', async () => {
    await until(async () => (await getCr('scheduledbackups', 'archive-daily')) === undefined);
    assert.equal(await getCr('scheduledbackups', 'archive-daily'), undefined);
    assert.ok(await getCr('backups', 'archive-final'), 'backups are not dependents');
  });

  test('a Backup made outside cnpg-mcp is admin-only: bob cannot restore it', async () => {
    assert.equal((await getCr('backups', 'archive-manual'))?.metadata.labels?.[OWNER], undefined);
    await fails(
      bob,
      'backup_restore',
      { name: 'bob-manual', backup: 'archive-manual', storage_size: '1Gi' },
      /rule unlabelled/,
    );
    assert.equal(await getCr('clusters', 'bob-manual'), undefined);
  });

  test('even where unlabelled objects are everyone’s, the source cluster is alice’s: refused', async () => {
    await adminBackup('ledger-manual', 'ledger', { method: 'plugin', pluginConfiguration: { name: PLUGIN } });
    await fails(
      bobUnlabelledOk,
      'backup_restore',
      { name: 'bob-ledger', backup: 'ledger-manual' },
      /rule ownership.*the cluster the backup was taken from/,
    );
    assert.equal(await getCr('clusters', 'bob-ledger'), undefined);
    const [denied] = auditOf(bobUnlabelledApi, 'backup_restore', 'bob-ledger');
    assert.ok(denied?.references.includes(`use Cluster ${NS}/ledger`), JSON.stringify(denied));
  });

  test('bob cannot back up, or schedule backups of, alice’s cluster', async () => {
    const backups = (await stack.admin.custom.listNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'backups',
    })) as { items: unknown[] };
    await fails(bob, 'backup_create', { cluster: 'ledger', name: 'bob-grab' }, /rule ownership/);
    await fails(
      bob,
      'scheduled_backup_create',
      { cluster: 'ledger', name: 'bob-sched', schedule: '0 0 * * * *' },
      /rule ownership/,
    );
    assert.equal(await getCr('backups', 'bob-grab'), undefined);
    assert.equal(await getCr('scheduledbackups', 'bob-sched'), undefined);
    const after = (await stack.admin.custom.listNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'backups',
    })) as { items: unknown[] };
    assert.equal(after.items.length, backups.items.length);
  });
});

describe('bob cannot change alice’s backups and schedules', () => {
  test('suspend, resume and delete of alice’s scheduled backup are refused; it is unchanged in Kubernetes', async () => {
    await ok(alice, 'scheduled_backup_create', {
      cluster: 'ledger',
      name: 'ledger-hourly',
      schedule: '0 0 * * * *',
    });
    const before = await getCr('scheduledbackups', 'ledger-hourly');
    assert.equal(before?.spec.suspend, false);
    await fails(bob, 'scheduled_backup_suspend', { name: 'ledger-hourly' }, /rule ownership/);
    await fails(bob, 'scheduled_backup_resume', { name: 'ledger-hourly' }, /rule ownership/);
    await fails(
      bob,
      'scheduled_backup_delete',
      { name: 'ledger-hourly', confirm: 'ledger-hourly' },
      /rule ownership/,
    );
    const now = await getCr('scheduledbackups', 'ledger-hourly');
    assert.ok(now, 'still there');
    assert.equal(now.spec.suspend, false);
    assert.equal(now.metadata.resourceVersion, before?.metadata.resourceVersion, 'not written at all');
  });

  test('delete of alice’s backup is refused; it is still there', async () => {
    const before = await getCr('backups', 'ledger-nightly');
    await fails(
      bob,
      'backup_delete',
      { name: 'ledger-nightly', confirm: 'ledger-nightly' },
      /rule ownership/,
    );
    assert.equal(
      (await getCr('backups', 'ledger-nightly'))?.metadata.resourceVersion,
      before?.metadata.resourceVersion,
    );
  });
});

describe('a restore names a new cluster as cluster_create does', () => {
  test('not with Service names a Pooler holds, nor over objects that name it and are not hers; nothing is created', async () => {
    // Made outside cnpg-mcp (kubectl): a Pooler named like the Service of a cluster ledger-twin,
    // and a Database for a cluster ledger-heir that does not exist yet.
    await stack.admin.custom.createNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'poolers',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Pooler',
        metadata: { name: 'ledger-twin-rw' },
        spec: { cluster: { name: 'ledger' }, type: 'rw', instances: 1, pgbouncer: { poolMode: 'session' } },
      },
    });
    await stack.admin.custom.createNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'databases',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Database',
        metadata: { name: 'ledger-heir-app' },
        spec: { cluster: { name: 'ledger-heir' }, name: 'app', owner: 'app' },
      },
    });
    await fails(
      alice,
      'backup_restore',
      { name: 'ledger-twin', backup: 'ledger-nightly' },
      /rule names.*Pooler ledger-twin-rw/,
    );
    await fails(
      alice,
      'backup_restore',
      { name: 'ledger-heir', backup: 'ledger-nightly' },
      /rule dependents.*Database ledger-heir-app/,
    );
    assert.equal(await getCr('clusters', 'ledger-twin'), undefined);
    assert.equal(await getCr('clusters', 'ledger-heir'), undefined);
  });
});

describe('what a permitted restore does', () => {
  test('the audit line names the Backup and the source Cluster it came from', async () => {
    await ok(alice, 'backup_restore', { name: 'ledger-copy', backup: 'ledger-nightly' });
    const copy = (await getCr('clusters', 'ledger-copy')) as
      | { spec: { externalClusters: { plugin: { parameters: Record<string, string> } }[] } }
      | undefined;
    assert.equal(
      copy?.spec.externalClusters[0]?.plugin.parameters.barmanObjectName,
      'alice-store',
      'her own object store',
    );
    const [line] = auditOf(stack.api, 'backup_restore', 'ledger-copy');
    assert.equal(line?.outcome, 'success');
    // (Between them, the operator's Secrets the new cluster would adopt, read to refuse others'.)
    assert.deepEqual(
      line?.references.filter((r) => !r.includes(' Secret ')),
      [
        `use Backup ${NS}/ledger-nightly`,
        `use Cluster ${NS}/ledger`,
        `use ObjectStore ${NS}/alice-store`,
        `create Cluster ${NS}/ledger-copy (absent)`,
      ],
    );
    assert.deepEqual(line?.writes, [`create Cluster ${NS}/ledger-copy`]);
  });

  test('an image from a repository the policy does not allow is refused; nothing is created', async () => {
    // Same major as the backup, so only the images rule stands between it and a running cluster.
    const major = (await getCr('backups', 'ledger-nightly'))?.status?.majorVersion;
    assert.ok(major, 'major');
    await fails(
      alice,
      'backup_restore',
      { name: 'ledger-evil', backup: 'ledger-nightly', image: `docker.io/mallory/postgresql:${major}` },
      /rule images.*images\.registries/,
    );
    assert.equal(await getCr('clusters', 'ledger-evil'), undefined);
  });

  test('concurrent restores against the clusters quota create no more than it allows', async () => {
    // alice has ledger and ledger-copy; a quota of 3 leaves room for one more, whoever asks at once.
    assert.deepEqual(
      (await clusterNames()).filter((n) => n.startsWith('ledger')),
      ['ledger', 'ledger-copy'],
    );
    const names = ['q1', 'q2', 'q3', 'q4', 'q5'].map((q) => `ledger-${q}`);
    const results = await Promise.all(
      names.map((name) =>
        aliceQuota3.callTool({ name: 'backup_restore', arguments: { name, backup: 'ledger-nightly' } }),
      ),
    );
    const created = (await clusterNames()).filter((n) => names.includes(n));
    assert.equal(created.length, 1, `created ${created.join(', ')}`);
    assert.equal(results.filter((r) => !r.isError).length, 1);
    for (const r of results.filter((r) => r.isError)) {
      assert.match((r.content as { text: string }[])[0]?.text ?? '', /rule quota\.clustersPerUser/);
    }
  });
});
