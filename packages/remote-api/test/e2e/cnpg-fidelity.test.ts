/**
 * Tools doing on the local stack what they do against CloudNativePG itself (issue 16): each test
 * names the CNPG behaviour it holds the product to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type CoreV1Api,
  type CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { emulatorOnly, type LocalStack, realCluster, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary Kubernetes objects.
type Loose = any;
type Result = CallToolResult & { structuredContent?: Record<string, Loose> };

const NS = 'team-a';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** How long a tool waits for a cluster or pooler: the emulator takes milliseconds, CloudNativePG minutes. */
const WAIT = realCluster ? 900 : 120;

let stack: LocalStack;
let alice: Client;
let custom: CustomObjectsApi;
let core: CoreV1Api;

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1 },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: NS },
      policy: {
        admins: { groups: ['cnpg-admins'] },
        namespaces: { everyone: [NS] },
        ownership: { enforced: true },
      },
    },
  });
  ({ custom, core } = stack.admin);
  alice = await connectClient(stack.api, await stack.tokenFor('alice'));
});

after(async () => {
  await alice?.close();
  await stack?.close();
});

const textOf = (r: Result) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function call(name: string, args: Record<string, unknown>): Promise<Result> {
  const result = (await alice.callTool({ name, arguments: args })) as Result;
  await stack.kube.settle();
  return result;
}

async function ok(name: string, args: Record<string, unknown>): Promise<Record<string, Loose>> {
  const result = await call(name, args);
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  return { ...result.structuredContent, text: textOf(result) };
}

/** Plays an administrator's or the operator's part, as kubectl would. */
const adminPatch = (plural: string, name: string, body: Record<string, unknown>) =>
  custom.patchNamespacedCustomObject({ ...CNPG, namespace: NS, plural, name, body }, mergePatch);

const createCluster = (name: string, instances: number) =>
  ok('cluster_create', { name, instances, storage_size: '1Gi', wait: true, wait_timeout_seconds: WAIT });

describe('admission warnings reach the person', () => {
  const BARMAN_DEPRECATED = /Native support for Barman Cloud backups and recovery is deprecated/;
  const VALIDATION_DISABLED = /validation webhook is disabled/;

  before(() => createCluster('pg-warn', 1));

  test('a write without warnings has none', async () => {
    const out = await ok('cluster_scale', { name: 'pg-warn', instances: 1 });
    assert.equal(out.warnings, undefined);
    assert.doesNotMatch(out.text, /Kubernetes warned/);
  });

  test("CloudNativePG's deprecation warning for an in-tree barmanObjectStore comes back with the write that drew it", async () => {
    await adminPatch('clusters', 'pg-warn', {
      spec: { backup: { barmanObjectStore: { destinationPath: 's3://backups/pg-warn' } } },
    });
    const out = await ok('cluster_scale', { name: 'pg-warn', instances: 2 });
    assert.ok(
      (out.warnings as string[]).some((w) => BARMAN_DEPRECATED.test(w)),
      JSON.stringify(out.warnings),
    );
    assert.match(out.text, /Kubernetes warned:\n {2}- Native support for Barman Cloud/);
  });

  test('a cluster whose validation an administrator switched off says so on every write', async () => {
    await adminPatch('clusters', 'pg-warn', {
      metadata: { annotations: { 'cnpg.io/validation': 'disabled' } },
    });
    const out = await ok('cluster_reload', { name: 'pg-warn' });
    assert.ok(
      (out.warnings as string[]).some((w) => VALIDATION_DISABLED.test(w)),
      JSON.stringify(out.warnings),
    );
    assert.match(out.text, VALIDATION_DISABLED);
  });
});

describe('pooler readiness is its pods’ readiness', () => {
  // CloudNativePG's Pooler status.instances is its Deployment's replica count: pods that exist,
  // ready or not (internal/controller/pooler_status.go).
  before(() => createCluster('pg-pool', 1));

  test(
    'pooler_get and pooler_list count Ready PgBouncer pods, not status.instances',
    emulatorOnly('sets a pod’s readiness by hand, which a kubelet would undo'),
    async () => {
      const created = await ok('pooler_create', {
        name: 'pgbouncer-pool',
        cluster: 'pg-pool',
        instances: 2,
        wait: true,
        wait_timeout_seconds: WAIT,
      });
      assert.equal(created.pooler.readyInstances, 2);
      const pods = (
        await core.listNamespacedPod({ namespace: NS, labelSelector: 'cnpg.io/poolerName=pgbouncer-pool' })
      ).items;
      assert.equal(pods.length, 2);
      // One pod stops being Ready (its PgBouncer restarting), as the kubelet would report it.
      await core.patchNamespacedPodStatus(
        {
          namespace: NS,
          name: pods[0]!.metadata!.name!,
          body: {
            status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }] },
          },
        },
        mergePatch,
      );
      await stack.kube.settle();
      const pooler = (await custom.getNamespacedCustomObject({
        ...CNPG,
        namespace: NS,
        plural: 'poolers',
        name: 'pgbouncer-pool',
      })) as Loose;
      assert.equal(pooler.status.instances, 2, 'the operator still counts both pods');
      const got = await ok('pooler_get', { name: 'pgbouncer-pool' });
      assert.equal(got.pooler.readyInstances, 1);
      assert.match(got.text, /1\/2 pods/);
      const listed = await ok('pooler_list', { cluster: 'pg-pool' });
      assert.equal(listed.poolers[0].readyInstances, 1);
    },
  );
});

describe('cluster_status reports plugin backups', () => {
  // CloudNativePG sets status.lastSuccessfulBackup for in-tree barmanObjectStore backups only;
  // a Barman Cloud plugin backup is recorded by its Backup object alone.
  before(async () => {
    await createCluster('pg-plugin', 1);
    await adminPatch('clusters', 'pg-plugin', {
      spec: {
        plugins: [
          {
            name: 'barman-cloud.cloudnative-pg.io',
            isWALArchiver: true,
            parameters: { barmanObjectName: 'store' },
          },
        ],
      },
    });
    await stack.kube.settle();
  });

  test('"Last backup" is the newest completed Backup of the cluster', async () => {
    const before = await ok('cluster_status', { name: 'pg-plugin' });
    assert.equal(before.lastSuccessfulBackup, '');
    assert.match(before.text, /Last backup: none recorded/);
    const created = await ok('backup_create', {
      cluster: 'pg-plugin',
      name: 'pg-plugin-first',
      wait: true,
      wait_timeout_seconds: WAIT,
    });
    assert.equal(created.backup.phase, 'completed');
    const cluster = (await custom.getNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'clusters',
      name: 'pg-plugin',
    })) as Loose;
    assert.equal(cluster.status.lastSuccessfulBackup, undefined, 'the operator records no plugin backup');
    const backup = (await custom.getNamespacedCustomObject({
      ...CNPG,
      namespace: NS,
      plural: 'backups',
      name: 'pg-plugin-first',
    })) as Loose;
    const status = await ok('cluster_status', { name: 'pg-plugin' });
    assert.equal(status.lastSuccessfulBackup, backup.status.stoppedAt);
    assert.match(status.text, /Last backup: \S+ \(pg-plugin-first\)/);
  });
});

describe('cluster_instance_destroy does what kubectl cnpg destroy does', () => {
  const BATCH = { group: 'batch', version: 'v1', plural: 'jobs' } as const;
  const pvc = (name: string) =>
    core.readNamespacedPersistentVolumeClaim({ namespace: NS, name }).catch(() => undefined);
  const job = (name: string) =>
    custom.getNamespacedCustomObject({ ...BATCH, namespace: NS, name }).catch(() => undefined);

  before(async () => {
    await createCluster('pg-destroy', 3);
    // The operator is paused so what the tool leaves behind can be looked at before it reacts,
    // and a join Job of replica pg-destroy-2 is left over, labelled as CloudNativePG labels it.
    await adminPatch('clusters', 'pg-destroy', {
      metadata: { annotations: { 'cnpg.io/reconciliationLoop': 'disabled' } },
    });
    for (const instance of ['pg-destroy-2', 'pg-destroy-3']) {
      const pod = await core.readNamespacedPod({ namespace: NS, name: instance });
      await custom.createNamespacedCustomObject({
        ...BATCH,
        namespace: NS,
        body: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: {
            name: `${instance}-join`,
            labels: { ...pod.metadata!.labels, 'cnpg.io/jobRole': 'join' },
          },
          spec: {
            template: {
              spec: { restartPolicy: 'Never', containers: [{ name: 'join', image: 'postgres' }] },
            },
          },
        },
      });
    }
  });

  test('keep_pvc: Pod and Jobs deleted, volumes kept but no longer the Cluster’s (cnpg.io/pvcStatus=detached)', async () => {
    const out = await ok('cluster_instance_destroy', {
      name: 'pg-destroy',
      instance: 'pg-destroy-2',
      keep_pvc: true,
      confirm: 'pg-destroy-2',
    });
    assert.deepEqual(out.deleted, ['pod/pg-destroy-2', 'job/pg-destroy-2-join']);
    assert.deepEqual(out.detached, ['pg-destroy-2']);
    assert.equal(await job('pg-destroy-2-join'), undefined, 'the Job is gone');
    const kept = await pvc('pg-destroy-2');
    assert.ok(kept, 'the volume is kept');
    assert.equal(kept.metadata?.annotations?.['cnpg.io/pvcStatus'], 'detached');
    assert.equal(kept.metadata?.labels?.['cnpg.io/instanceName'], 'pg-destroy-2');
    assert.deepEqual(
      (kept.metadata?.ownerReferences ?? []).filter((o) => o.kind === 'Cluster'),
      [],
      'the Cluster no longer owns it: it is not deleted with the cluster nor reused for the new instance',
    );
  });

  test('without keep_pvc: Pod, Jobs and volumes are deleted', async () => {
    const out = await ok('cluster_instance_destroy', {
      name: 'pg-destroy',
      instance: 'pg-destroy-3',
      confirm: 'pg-destroy-3',
    });
    assert.deepEqual(out.deleted, [
      'pod/pg-destroy-3',
      'job/pg-destroy-3-join',
      'persistentvolumeclaim/pg-destroy-3',
    ]);
    assert.equal(await job('pg-destroy-3-join'), undefined);
    const gone = await pvc('pg-destroy-3');
    assert.ok(!gone || gone.metadata?.deletionTimestamp, 'the volume is deleted');
  });
});

describe('cluster_create uses what CloudNativePG 1.30 recommends, and still works on 1.29', () => {
  const MONITORING = { group: 'monitoring.coreos.com', version: 'v1', plural: 'podmonitors' } as const;

  for (const cnpgVersion of ['1.30', '1.29'] as const) {
    const only =
      cnpgVersion === '1.29'
        ? emulatorOnly('CloudNativePG 1.29 is emulated; a real cluster runs one release')
        : {};
    test(
      `CloudNativePG ${cnpgVersion}: a standard-flavour image and a PodMonitor the cluster owns`,
      only,
      async () => {
        const local =
          cnpgVersion === '1.30'
            ? stack
            : await startLocalStack({
                kube: { namespaces: [NS], stepDelayMs: 1, cnpgVersion },
                remoteApi: { env: { DEFAULT_NAMESPACE: NS }, policy: { namespaces: { everyone: [NS] } } },
              });
        const client =
          local === stack ? alice : await connectClient(local.api, await local.tokenFor('alice'));
        try {
          const name = `pg-mon-${cnpgVersion.replace('.', '')}`;
          const created = (await client.callTool({
            name: 'cluster_create',
            arguments: {
              name,
              postgres_major: 17,
              storage_size: '1Gi',
              enable_pod_monitor: true,
              wait: true,
              wait_timeout_seconds: WAIT,
            },
          })) as Result;
          assert.ok(!created.isError, textOf(created));
          await local.kube.settle();
          const cluster = (await local.admin.custom.getNamespacedCustomObject({
            ...CNPG,
            namespace: NS,
            plural: 'clusters',
            name,
          })) as Loose;
          assert.equal(cluster.spec.imageName, 'ghcr.io/cloudnative-pg/postgresql:17-standard-trixie');
          assert.equal(cluster.spec.monitoring?.enablePodMonitor, undefined);
          const monitor = (await local.admin.custom.getNamespacedCustomObject({
            ...MONITORING,
            namespace: NS,
            name,
          })) as Loose;
          assert.deepEqual(monitor.spec.selector.matchLabels, {
            'cnpg.io/cluster': name,
            'cnpg.io/podRole': 'instance',
          });
          assert.deepEqual(monitor.spec.podMetricsEndpoints, [{ port: 'metrics' }]);
          assert.deepEqual(
            monitor.metadata.ownerReferences.map((o: Loose) => `${o.kind}/${o.name}/${o.uid}`),
            [`Cluster/${name}/${cluster.metadata.uid}`],
            'it goes with the cluster',
          );
          const deleted = (await client.callTool({
            name: 'cluster_delete',
            arguments: { name, confirm: name },
          })) as Result;
          assert.ok(!deleted.isError, textOf(deleted));
          await local.kube.settle();
          const left = await local.admin.custom
            .getNamespacedCustomObject({ ...MONITORING, namespace: NS, name })
            .then(
              () => true,
              () => false,
            );
          assert.equal(left, false, 'the PodMonitor went with its cluster');
        } finally {
          if (local !== stack) {
            await client.close();
            await local.close();
          }
        }
      },
    );
  }
});

describe('cluster_create with a PodMonitor leaves nothing half-made', () => {
  test('a PodMonitor of that name already there (someone else’s): refused, and the new Cluster is gone again', async () => {
    await custom.createNamespacedCustomObject({
      group: 'monitoring.coreos.com',
      version: 'v1',
      plural: 'podmonitors',
      namespace: NS,
      body: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { name: 'pg-taken', labels: { 'cnpg-mcp.io/created-by': 'someone-else' } },
        spec: { selector: { matchLabels: { app: 'theirs' } }, podMetricsEndpoints: [{ port: 'web' }] },
      },
    });
    const refused = await call('cluster_create', {
      name: 'pg-taken',
      storage_size: '1Gi',
      enable_pod_monitor: true,
    });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /already exists/);
    await stack.kube.settle();
    const cluster = await custom
      .getNamespacedCustomObject({ ...CNPG, namespace: NS, plural: 'clusters', name: 'pg-taken' })
      .then(
        (o) => o as Loose,
        () => undefined,
      );
    assert.ok(
      !cluster || cluster.metadata.deletionTimestamp,
      'the Cluster made before the refusal is deleted',
    );
    const theirs = (await custom.getNamespacedCustomObject({
      group: 'monitoring.coreos.com',
      version: 'v1',
      plural: 'podmonitors',
      namespace: NS,
      name: 'pg-taken',
    })) as Loose;
    assert.deepEqual(theirs.spec.selector.matchLabels, { app: 'theirs' }, 'their PodMonitor is untouched');
  });
});

describe('backup_restore sends what CloudNativePG’s webhook requires', () => {
  const getCr = (plural: string, name: string) =>
    custom.getNamespacedCustomObject({ ...CNPG, namespace: NS, plural, name }).then(
      (o) => o as Loose,
      () => undefined,
    );

  test('an object-store backup to a transaction id names the backup id', async () => {
    await createCluster('pg-xid', 1);
    await adminPatch('clusters', 'pg-xid', {
      spec: { backup: { barmanObjectStore: { destinationPath: 's3://backups/pg-xid' } } },
    });
    await stack.kube.settle();
    await ok('backup_create', {
      cluster: 'pg-xid',
      name: 'pg-xid-full',
      method: 'barmanObjectStore',
      wait: true,
      wait_timeout_seconds: WAIT,
    });
    const backup = await getCr('backups', 'pg-xid-full');
    assert.ok(backup.status.backupId, 'the backup has an id');
    // Without recoveryTarget.backupID the webhook answers "BackupID is missing" (422).
    await ok('backup_restore', { name: 'pg-xid-copy', backup: 'pg-xid-full', target_xid: '742' });
    const restored = await getCr('clusters', 'pg-xid-copy');
    assert.deepEqual(restored.spec.bootstrap.recovery, {
      backup: { name: 'pg-xid-full' },
      recoveryTarget: { backupID: backup.status.backupId, targetXID: '742' },
    });
  });

  test('a volume-snapshot backup with a WAL snapshot, its cluster gone, restores into a WAL volume', async () => {
    await ok('cluster_create', {
      name: 'pg-snap',
      storage_size: '1Gi',
      wal_storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: WAIT,
    });
    await adminPatch('clusters', 'pg-snap', {
      spec: { backup: { volumeSnapshot: { className: 'csi-snapclass', walClassName: 'csi-snapclass' } } },
    });
    await stack.kube.settle();
    await ok('backup_create', {
      cluster: 'pg-snap',
      name: 'pg-snap-full',
      method: 'volumeSnapshot',
      wait: true,
      wait_timeout_seconds: WAIT,
    });
    const backup = await getCr('backups', 'pg-snap-full');
    assert.deepEqual(backup.status.snapshotBackupStatus.elements.map((e: Loose) => e.type).sort(), [
      'PG_DATA',
      'PG_WAL',
    ]);
    await ok('cluster_delete', { name: 'pg-snap', confirm: 'pg-snap' });
    await stack.kube.settle();
    const refused = await call('backup_restore', {
      name: 'pg-snap-copy',
      backup: 'pg-snap-full',
      storage_size: '1Gi',
    });
    assert.equal(refused.isError, true);
    assert.match(
      textOf(refused),
      /wal_storage_size: required, because backup pg-snap-full has a WAL volume snapshot/,
    );
    assert.equal(await getCr('clusters', 'pg-snap-copy'), undefined, 'nothing was written');
    await ok('backup_restore', {
      name: 'pg-snap-copy',
      backup: 'pg-snap-full',
      storage_size: '1Gi',
      wal_storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: WAIT,
    });
    const restored = await getCr('clusters', 'pg-snap-copy');
    assert.equal(restored.spec.walStorage.size, '1Gi');
    assert.equal(restored.spec.bootstrap.recovery.volumeSnapshots.walStorage.kind, 'VolumeSnapshot');
    assert.equal(restored.status.phase, 'Cluster in healthy state');
  });
});

describe('PostgreSQL parameters: CloudNativePG’s list and rules, the same in the tools and the emulator', () => {
  const parameters = async () =>
    (
      (await custom.getNamespacedCustomObject({
        ...CNPG,
        namespace: NS,
        plural: 'clusters',
        name: 'pg-params',
      })) as Loose
    ).spec.postgresql?.parameters ?? {};

  before(() => createCluster('pg-params', 2));

  test('what CloudNativePG lets people tune is set (full_page_writes, wal_log_hints: the old list refused them)', async () => {
    await ok('cluster_set_parameters', {
      name: 'pg-params',
      parameters: { full_page_writes: 'on', wal_log_hints: 'on' },
    });
    assert.deepEqual(await parameters(), { full_page_writes: 'on', wal_log_hints: 'on' });
  });

  test('what it owns or refuses is refused before anything is written', async () => {
    const before = JSON.stringify(await parameters());
    for (const [change, pattern] of [
      [{ temp_tablespaces: 'scratch' }, /temp_tablespaces is managed by the CloudNativePG operator/],
      [{ synchronized_standby_slots: 'a' }, /synchronized_standby_slots is managed/],
      [{ wal_level: 'minimal', max_wal_senders: '0' }, /wal_level minimal needs a single instance/],
      [{ max_wal_size: 'a lot' }, /max_wal_size "a lot" is not a size/],
    ] as const) {
      const refused = await call('cluster_set_parameters', { name: 'pg-params', parameters: change });
      assert.equal(refused.isError, true, JSON.stringify(change));
      assert.match(textOf(refused), pattern);
    }
    assert.equal(JSON.stringify(await parameters()), before, 'the cluster’s parameters are as they were');
  });
});
