// Backups and restores as CloudNativePG 1.30 runs them (internal/controller/backup_controller.go,
// the instance manager's backup commands, pkg/reconciler/backup/volumesnapshot,
// internal/controller/cluster_create.go, internal/webhook/v1/cluster_webhook.go): the phases each
// method goes through, VolumeSnapshots and snapshotBackupStatus, restores that wait for what they
// need, and the webhook's recovery rules.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { clusterManifest, cnpg, expectStatus, openTarget, type Target } from '../support/kube-support.js';

type Obj = { metadata?: { name?: string }; status?: Record<string, unknown> } & Record<string, unknown>;
const PLUGIN = 'barman-cloud.cloudnative-pg.io';

describe('CNPG backups and restores', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  /** Every phase a Backup passes through, from a watch. */
  const phasesOf = async (name: string, create: () => Promise<unknown>) => {
    const phases: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      `/apis/postgresql.cnpg.io/v1/namespaces/${t.namespace}/backups`,
      { fieldSelector: `metadata.name=${name}` },
      (_type, obj: Obj) => {
        const phase = obj.status?.phase as string | undefined;
        if (phase && phases.at(-1) !== phase) phases.push(phase);
      },
      () => undefined,
    );
    await create();
    const done = await t.eventually(async () => {
      const b = (await cnpg(t, 'backups').get(name)) as Obj;
      return ['completed', 'failed'].includes(String(b.status?.phase)) ? b : undefined;
    });
    await t.settle();
    req.abort();
    return { phases, backup: done };
  };
  const backup = (name: string, cluster: string, spec: Record<string, unknown> = {}) =>
    cnpg(t, 'backups').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name },
      spec: { cluster: { name: cluster }, ...spec },
    });
  const healthy = (name: string) =>
    t.eventually(async () => {
      const c = (await cnpg(t, 'clusters').get(name)) as Obj;
      return c.status?.phase === 'Cluster in healthy state' ? c : undefined;
    });
  const events = async (name: string) =>
    (await t.core.listNamespacedEvent({ namespace: t.namespace })).items
      .filter((e) => e.involvedObject.name === name)
      .map((e) => `${e.type} ${e.reason}: ${e.message}`);

  before(async () => {
    await cnpg(t, 'clusters').create(
      clusterManifest('pg-bk', {
        instances: 2,
        walStorage: { size: '1Gi' },
        plugins: [{ name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'store' } }],
        backup: {
          barmanObjectStore: { destinationPath: 's3://backups/pg-bk' },
          volumeSnapshot: { className: 'csi-snapclass' },
        },
      }),
    );
    await healthy('pg-bk');
  });

  test('a WAL volume per instance: created and labelled PG_WAL, listed in the status, deleted on scale down', async () => {
    const pvcs = await t.core.listNamespacedPersistentVolumeClaim({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/cluster=pg-bk',
    });
    assert.deepEqual(
      pvcs.items.map((p) => `${p.metadata?.name} ${p.metadata?.labels?.['cnpg.io/pvcRole']}`).sort(),
      ['pg-bk-1 PG_DATA', 'pg-bk-1-wal PG_WAL', 'pg-bk-2 PG_DATA', 'pg-bk-2-wal PG_WAL'],
    );
    const c = (await cnpg(t, 'clusters').get('pg-bk')) as Obj;
    assert.deepEqual(c.status?.healthyPVC, ['pg-bk-1', 'pg-bk-1-wal', 'pg-bk-2', 'pg-bk-2-wal']);
    assert.equal(c.status?.instances, 2);
    const pod = await t.core.readNamespacedPod({ name: 'pg-bk-1', namespace: t.namespace });
    assert.ok(
      pod.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === 'pg-bk-1-wal'),
      "pod.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === 'pg-bk-1-wal')",
    );

    await cnpg(t, 'clusters').create(
      clusterManifest('pg-wal', { instances: 2, walStorage: { size: '1Gi' } }),
    );
    await healthy('pg-wal');
    await cnpg(t, 'clusters').merge('pg-wal', { spec: { instances: 1 } });
    const left = await t.eventually(async () => {
      const list = await t.core.listNamespacedPersistentVolumeClaim({
        namespace: t.namespace,
        labelSelector: 'cnpg.io/cluster=pg-wal',
      });
      return list.items.length === 2 ? list.items.map((p) => p.metadata?.name).sort() : undefined;
    });
    assert.deepEqual(left, ['pg-wal-1', 'pg-wal-1-wal']);
    assert.ok(
      (await events('pg-wal')).includes('Normal ScaleDown: Scaling down - removing instance: pg-wal-2'),
      "(await events('pg-wal')).includes('Normal ScaleDown: Scaling down - removing instance: …",
    );
  });

  test('barmanObjectStore: started by the operator, running in the instance manager, then completed', async () => {
    const { phases, backup: done } = await phasesOf('bk-barman', () => backup('bk-barman', 'pg-bk'));
    assert.deepEqual(phases, ['started', 'running', 'completed']);
    assert.equal(done.status?.method, 'barmanObjectStore');
    assert.equal(done.status?.serverName, 'pg-bk');
    assert.equal(done.status?.destinationPath, 's3://backups/pg-bk');
    assert.match(String(done.status?.backupName), /^backup-\d{14}$/);
    assert.match(String(done.status?.backupId), /^\d{8}T\d{6}$/);
    assert.deepEqual((await events('bk-barman')).sort(), [
      'Normal Completed: Backup completed',
      'Normal Starting: Backup started',
      'Normal Starting: Starting backup for cluster pg-bk',
    ]);
    const c = (await cnpg(t, 'clusters').get('pg-bk')) as Obj;
    assert.ok(c.status?.lastSuccessfulBackup, 'c.status?.lastSuccessfulBackup');
    assert.ok(
      (c.status?.lastSuccessfulBackupByMethod as Record<string, string> | undefined)?.barmanObjectStore,
      '(c.status?.lastSuccessfulBackupByMethod as Record<string, string> | undefined)?.barmanO…',
    );
  });

  test('plugin: started then completed (no running phase); the cluster gets only the condition', async () => {
    const before = (await cnpg(t, 'clusters').get('pg-bk')) as Obj;
    const { phases, backup: done } = await phasesOf('bk-plugin', () =>
      backup('bk-plugin', 'pg-bk', { method: 'plugin', pluginConfiguration: { name: PLUGIN } }),
    );
    assert.deepEqual(phases, ['started', 'completed']);
    assert.equal((done.status?.pluginMetadata as Record<string, string> | undefined)?.pluginName, PLUGIN);
    const after = (await cnpg(t, 'clusters').get('pg-bk')) as Obj;
    assert.equal(after.status?.lastSuccessfulBackup, before.status?.lastSuccessfulBackup);
    const condition = (after.status?.conditions as { type: string; status: string }[] | undefined)?.find(
      (c) => c.type === 'LastBackupSucceeded',
    );
    assert.equal(condition?.status, 'True');
  });

  test('plugin: a plugin the cluster does not enable fails; one the operator does not have leaves no phase', async () => {
    const { phases, backup: failed } = await phasesOf('bk-other', () =>
      backup('bk-other', 'pg-bk', { method: 'plugin', pluginConfiguration: { name: 'other.example.com' } }),
    );
    assert.deepEqual(phases, ['started', 'failed']);
    assert.equal(failed.status?.error, 'requested plugin is not available: other.example.com');

    await cnpg(t, 'clusters').create(
      clusterManifest('pg-unknown-plugin', { instances: 1, plugins: [{ name: 'unknown.example.com' }] }),
    );
    const stuck = await t.eventually(async () => {
      const c = (await cnpg(t, 'clusters').get('pg-unknown-plugin')) as Obj;
      return c.status?.phase ? c : undefined;
    });
    assert.equal(
      stuck.status?.phase,
      'Cluster cannot proceed to reconciliation due to an unknown plugin being required',
    );
    assert.match(String(stuck.status?.phaseReason), /^Unknown plugin: 'unknown\.example\.com'/);
    await backup('bk-unknown', 'pg-unknown-plugin', {
      method: 'plugin',
      pluginConfiguration: { name: 'unknown.example.com' },
    });
    await t.settle();
    const waiting = (await cnpg(t, 'backups').get('bk-unknown')) as Obj;
    assert.equal(waiting.status?.phase, undefined);
  });

  test('volumeSnapshot: started, VolumeSnapshots of data and WAL, finalizing, completed with snapshotBackupStatus', async () => {
    const { phases, backup: done } = await phasesOf('bk-snap', () =>
      backup('bk-snap', 'pg-bk', { method: 'volumeSnapshot', target: 'primary' }),
    );
    assert.deepEqual(phases, ['started', 'finalizing', 'completed']);
    assert.equal(done.status?.backupId, 'bk-snap');
    assert.deepEqual(done.status?.snapshotBackupStatus, {
      elements: [
        { name: 'bk-snap', type: 'PG_DATA' },
        { name: 'bk-snap-wal', type: 'PG_WAL' },
      ],
    });
    const snapshots = (await t.custom.listNamespacedCustomObject({
      group: 'snapshot.storage.k8s.io',
      version: 'v1',
      namespace: t.namespace,
      plural: 'volumesnapshots',
      labelSelector: 'cnpg.io/backupName=bk-snap',
    })) as {
      items: (Obj & { spec: { source: Record<string, string>; volumeSnapshotClassName?: string } })[];
    };
    assert.deepEqual(
      snapshots.items.map(
        (s) => `${s.metadata?.name} ${s.spec.source.persistentVolumeClaimName} ${s.status?.readyToUse}`,
      ),
      ['bk-snap pg-bk-1 true', 'bk-snap-wal pg-bk-1-wal true'],
    );
    assert.equal(snapshots.items[0]?.spec.volumeSnapshotClassName, 'csi-snapclass');
    assert.ok(
      (await events('bk-snap')).includes(
        'Normal CreateSnapshot: Creating VolumeSnapshot for PVC pg-bk-1-wal',
      ),
      "(await events('bk-snap')).includes('Normal CreateSnapshot: Creating VolumeSnapshot for …",
    );
  });

  test('prerequisites fail the backup with CNPG messages and reasons', async () => {
    await cnpg(t, 'clusters').create(clusterManifest('pg-nobk', { instances: 1 }));
    await healthy('pg-nobk');
    const { backup: failed } = await phasesOf('bk-nosection', () => backup('bk-nosection', 'pg-nobk'));
    assert.equal(failed.status?.error, 'cannot proceed with the backup as the cluster has no backup section');
    assert.ok(
      (await events('bk-nosection')).includes(
        'Warning ClusterHasBackupConfigured: cannot proceed with the backup as the cluster has no backup section',
      ),
      "(await events('bk-nosection')).includes('Warning ClusterHasBackupConfigured: cannot pro…",
    );
    const { backup: noPlugin } = await phasesOf('bk-noplugin', () =>
      backup('bk-noplugin', 'pg-nobk', { method: 'plugin', pluginConfiguration: { name: PLUGIN } }),
    );
    assert.equal(
      noPlugin.status?.error,
      'cannot proceed with the backup as the cluster has no plugin configured',
    );
  });

  test('restore from a snapshot Backup: recovery waits for the Backup, then bootstraps from its VolumeSnapshots', async () => {
    await cnpg(t, 'clusters').create(
      clusterManifest('pg-from-snap', {
        instances: 1,
        walStorage: { size: '1Gi' },
        bootstrap: { recovery: { backup: { name: 'bk-later' } } },
      }),
    );
    await t.settle();
    const waiting = (await cnpg(t, 'clusters').get('pg-from-snap')) as Obj;
    assert.equal(waiting.status?.phase, undefined, 'no primary is created without its Backup');
    assert.ok(
      (await events('pg-from-snap')).includes(
        `Warning ErrorNoBackup: Backup object "${t.namespace}/bk-later" is missing`,
      ),
      "(await events('pg-from-snap')).includes(`Warning ErrorNoBackup: Backup object \"${t.name…",
    );
    await backup('bk-later', 'pg-bk', { method: 'volumeSnapshot' });
    await healthy('pg-from-snap');
    const pvcs = await t.core.listNamespacedPersistentVolumeClaim({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/cluster=pg-from-snap',
    });
    assert.deepEqual(
      pvcs.items
        .map((p) => `${p.metadata?.name} ${p.spec?.dataSource?.kind}/${p.spec?.dataSource?.name}`)
        .sort(),
      ['pg-from-snap-1 VolumeSnapshot/bk-later', 'pg-from-snap-1-wal VolumeSnapshot/bk-later-wal'],
    );
    assert.ok(
      (await events('pg-from-snap')).includes(
        'Normal CreatingInstance: Primary instance (from volumeSnapshots)',
      ),
      "(await events('pg-from-snap')).includes('Normal CreatingInstance: Primary instance (fro…",
    );
  });

  test('restore from volumeSnapshots that do not exist waits; the webhook wants walStorage for a WAL snapshot', async () => {
    const snap = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });
    const body = await expectStatus(
      cnpg(t, 'clusters').create(
        clusterManifest('pg-nowal', {
          bootstrap: {
            recovery: { volumeSnapshots: { storage: snap('bk-snap'), walStorage: snap('bk-snap-wal') } },
          },
        }),
      ),
      422,
    );
    assert.match(
      body.message,
      /spec\.bootstrap\.recovery\.dataSource\.walStorage: Invalid value: .*A WAL storage configuration is required when recovering using a DataSource for WALs/,
    );
    await cnpg(t, 'clusters').create(
      clusterManifest('pg-ghost-snap', {
        bootstrap: { recovery: { volumeSnapshots: { storage: snap('gone') } } },
      }),
    );
    await t.settle();
    const ghost = (await cnpg(t, 'clusters').get('pg-ghost-snap')) as Obj;
    assert.equal(ghost.status?.phase, undefined);
    assert.equal(
      (
        await t.core.listNamespacedPersistentVolumeClaim({
          namespace: t.namespace,
          labelSelector: 'cnpg.io/cluster=pg-ghost-snap',
        })
      ).items.length,
      0,
    );
  });

  test('the webhook: BackupID is missing for a name, XID or immediate target without snapshots; target formats', async () => {
    const recovery = (recoveryTarget: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      clusterManifest('pg-pitr', {
        bootstrap: { recovery: { backup: { name: 'bk-barman' }, recoveryTarget, ...extra } },
      });
    for (const target of [
      { targetXID: '1234' },
      { targetName: 'before-migration' },
      { targetImmediate: true },
    ]) {
      const body = await expectStatus(cnpg(t, 'clusters').create(recovery(target)), 422);
      assert.deepEqual(body.details?.causes, [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: BackupID is missing',
          field: 'spec.bootstrap.recovery.recoveryTarget',
        },
      ]);
      assert.match(body.message, /^admission webhook "vcluster\.cnpg\.io" denied the request: /);
    }
    const bad = await expectStatus(
      cnpg(t, 'clusters').create(recovery({ targetTime: 'yesterday', targetLSN: 'nope', backupID: 'x' })),
      422,
    );
    const messages = bad.details?.causes?.map((c) => c.message) ?? [];
    assert.ok(
      messages.some((m) => m.endsWith('Recovery target options are mutually exclusive')),
      "messages.some((m) => m.endsWith('Recovery target options are mutually exclusive'))",
    );
    assert.ok(
      messages.some((m) => m.endsWith('The format of TargetTime is invalid')),
      "messages.some((m) => m.endsWith('The format of TargetTime is invalid'))",
    );
    assert.ok(
      messages.some((m) => m.endsWith('Invalid TargetLSN')),
      "messages.some((m) => m.endsWith('Invalid TargetLSN'))",
    );
    const source = await expectStatus(
      cnpg(t, 'clusters').create(
        clusterManifest('pg-src', { bootstrap: { recovery: { source: 'missing' } } }),
      ),
      422,
    );
    assert.ok(
      source.details?.causes?.some((c) => c.message.endsWith('External cluster missing not found')),
      "source.details?.causes?.some((c) => c.message.endsWith('External cluster missing not fo…",
    );
    // A time target needs no backupID.
    await cnpg(t, 'clusters').create(recovery({ targetTime: '2026-08-21 10:00:00.000000+00' }));
    await healthy('pg-pitr');
  });
});
