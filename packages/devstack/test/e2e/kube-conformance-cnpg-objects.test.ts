import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  clusterManifest,
  cnpg,
  expectStatus,
  mergePatch,
  openTarget,
  type Target,
} from '../support/kube-support.js';

describe('CNPG reconciler conformance: backups, poolers, databases and roles', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
    await cnpg(t, 'clusters').create(
      clusterManifest('pg', {
        instances: 2,
        backup: { volumeSnapshot: { className: 'csi-snapclass' } },
        managed: {
          roles: [
            {
              name: 'reporting',
              ensure: 'present',
              login: true,
              inRoles: ['pg_read_all_data'],
              passwordSecret: { name: 'pg-reporting' },
            },
            { name: 'orphaned', login: true, inRoles: ['no_such_role'] },
          ],
        },
      }),
    );
    await cnpg(t, 'clusters').create(clusterManifest('pg-nobackup'));
    await t.eventually(async () => {
      const [a, b] = await Promise.all([
        cnpg(t, 'clusters').get('pg'),
        cnpg(t, 'clusters').get('pg-nobackup'),
      ]);
      return a.status?.phase === 'Cluster in healthy state' && b.status?.phase === 'Cluster in healthy state'
        ? true
        : undefined;
    });
  });
  after(async () => {
    await t.close();
  });

  const backup = (name: string, cluster: string, spec: Record<string, unknown> = {}) => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, labels: { 'cnpg.io/cluster': cluster } },
    spec: { cluster: { name: cluster }, ...spec },
  });

  test('a volumeSnapshot backup runs to completed and updates the cluster', async () => {
    const phases: string[] = [];
    await cnpg(t, 'backups').create(backup('bk-snap', 'pg', { method: 'volumeSnapshot' }));
    const done = await t.eventually(async () => {
      const b = await cnpg(t, 'backups').get('bk-snap');
      const phase = b.status?.phase as string | undefined;
      if (phase && phases.at(-1) !== phase) phases.push(phase);
      return phase === 'completed' || phase === 'failed' ? b : undefined;
    });
    assert.equal(done.status?.phase, 'completed', String(done.status?.error));
    assert.equal(done.status?.method, 'volumeSnapshot');
    assert.ok(
      done.status?.startedAt && done.status?.stoppedAt,
      'done.status?.startedAt && done.status?.stoppedAt',
    );
    const cluster = await cnpg(t, 'clusters').get('pg');
    const cond = (cluster.status?.conditions as { type: string; status: string }[] | undefined)?.find(
      (c) => c.type === 'LastBackupSucceeded',
    );
    assert.equal(cond?.status, 'True');
    assert.ok(
      (cluster.status?.lastSuccessfulBackupByMethod as Record<string, string> | undefined)?.volumeSnapshot,
      '(cluster.status?.lastSuccessfulBackupByMethod as Record<string, string> | undefined)?.v…',
    );
  });

  test("a backup of a cluster without a backup section fails with CNPG's message", async () => {
    await cnpg(t, 'backups').create(backup('bk-none', 'pg-nobackup'));
    const failed = await t.eventually(async () => {
      const b = await cnpg(t, 'backups').get('bk-none');
      return b.status?.phase === 'failed' ? b : undefined;
    });
    assert.equal(failed.status?.error, 'cannot proceed with the backup as the cluster has no backup section');
    await cnpg(t, 'backups').create(
      backup('bk-plugin', 'pg', {
        method: 'plugin',
        pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      }),
    );
    const plugin = await t.eventually(async () => {
      const b = await cnpg(t, 'backups').get('bk-plugin');
      return b.status?.phase === 'failed' ? b : undefined;
    });
    assert.equal(
      plugin.status?.error,
      'cannot proceed with the backup as the cluster has no plugin configured',
    );
    const immutable = await expectStatus(
      cnpg(t, 'backups').merge('bk-none', { spec: { method: 'volumeSnapshot' } }),
      422,
    );
    assert.match(immutable.message, /BackupSpec is immutable once set/);
  });

  test('a backup for an unknown cluster stays pending', async () => {
    await cnpg(t, 'backups').create(backup('bk-pending', 'nowhere'));
    const pending = await t.eventually(async () => {
      const b = await cnpg(t, 'backups').get('bk-pending');
      return b.status?.phase === 'pending' ? b : undefined;
    });
    assert.equal(pending.status?.error, undefined);
  });

  test('an immediate ScheduledBackup creates a labelled Backup right away', async () => {
    await cnpg(t, 'scheduledbackups').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 0 0 * * *',
        immediate: true,
        cluster: { name: 'pg' },
        method: 'volumeSnapshot',
        backupOwnerReference: 'self',
      },
    });
    const created = await t.eventually(async () => {
      const list = await cnpg(t, 'backups').list({ labelSelector: 'cnpg.io/scheduled-backup=nightly' });
      return list.items.length > 0 ? list.items : undefined;
    });
    const first = created[0]!;
    assert.match(String(first.metadata.name), /^nightly-\d{14}$/);
    assert.equal(first.metadata.labels?.['cnpg.io/cluster'], 'pg');
    assert.equal(first.metadata.labels?.['cnpg.io/immediateBackup'], 'true');
    assert.equal(first.metadata.ownerReferences?.[0]?.kind, 'ScheduledBackup');
    const sb = await cnpg(t, 'scheduledbackups').get('nightly');
    assert.ok(
      sb.status?.lastScheduleTime && sb.status?.nextScheduleTime,
      'sb.status?.lastScheduleTime && sb.status?.nextScheduleTime',
    );
  });

  test('a Pooler gets a deployment, service and pods and reports status', async () => {
    await cnpg(t, 'poolers').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Pooler',
      metadata: { name: 'pg-pooler-rw' },
      spec: { cluster: { name: 'pg' }, instances: 2, type: 'rw', pgbouncer: { poolMode: 'transaction' } },
    });
    const pooler = await t.eventually(async () => {
      const p = await cnpg(t, 'poolers').get('pg-pooler-rw');
      return p.status?.instances === 2 ? p : undefined;
    });
    assert.equal(pooler.spec?.type, 'rw');
    const svc = await t.core.readNamespacedService({ name: 'pg-pooler-rw', namespace: t.namespace });
    assert.equal(svc.spec?.ports?.[0]?.port, 5432);
    const pods = await t.core.listNamespacedPod({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/poolerName=pg-pooler-rw',
    });
    assert.equal(pods.items.length, 2);
    assert.ok(
      pods.items.every((p) => p.metadata?.labels?.['cnpg.io/podRole'] === 'pooler'),
      "pods.items.every((p) => p.metadata?.labels?.['cnpg.io/podRole'] === 'pooler')",
    );
  });

  test('a Pooler scales through /scale and reports paused', async () => {
    await cnpg(t, 'poolers').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Pooler',
      metadata: { name: 'pg-pooler-ro' },
      spec: { cluster: { name: 'pg' }, instances: 1, type: 'ro', pgbouncer: { poolMode: 'session' } },
    });
    await t.custom.patchNamespacedCustomObjectScale(
      {
        group: 'postgresql.cnpg.io',
        version: 'v1',
        namespace: t.namespace,
        plural: 'poolers',
        name: 'pg-pooler-ro',
        body: { spec: { replicas: 3 } },
      },
      mergePatch,
    );
    await t.eventually(async () =>
      (await cnpg(t, 'poolers').get('pg-pooler-ro')).status?.instances === 3 ? true : undefined,
    );
    await cnpg(t, 'poolers').merge('pg-pooler-ro', { spec: { pgbouncer: { paused: true } } });
    const paused = await t.eventually(async () => {
      const p = await cnpg(t, 'poolers').get('pg-pooler-ro');
      return p.status?.phase === 'paused' ? p : undefined;
    });
    assert.equal(paused.status?.phaseReason, 'pgbouncer is paused');
  });

  test('a Database is applied with a finalizer and observedGeneration; a missing owner role is reported', async () => {
    const dbs = cnpg(t, 'databases');
    await dbs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'pg-analytics' },
      spec: {
        cluster: { name: 'pg' },
        name: 'analytics',
        owner: 'app',
        extensions: [{ name: 'pg_stat_statements', ensure: 'present' }],
        schemas: [{ name: 'staging', owner: 'app' }],
      },
    });
    const applied = await t.eventually(async () => {
      const d = await dbs.get('pg-analytics');
      return d.status?.applied === true ? d : undefined;
    });
    assert.equal(applied.status?.observedGeneration, applied.metadata.generation);
    assert.deepEqual(applied.metadata.finalizers, ['cnpg.io/deleteDatabase']);
    assert.deepEqual(applied.status?.extensions, [{ name: 'pg_stat_statements', applied: true }]);
    assert.deepEqual(applied.status?.schemas, [{ name: 'staging', applied: true }]);

    await dbs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'pg-dup' },
      spec: { cluster: { name: 'pg' }, name: 'analytics', owner: 'app' },
    });
    const dup = await t.eventually(async () => {
      const d = await dbs.get('pg-dup');
      return d.status?.applied === false ? d : undefined;
    });
    assert.equal(dup.status?.message, '"analytics" is already managed by object "pg-analytics"');

    await dbs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'pg-noowner' },
      spec: { cluster: { name: 'pg' }, name: 'other', owner: 'ghost' },
    });
    const noOwner = await t.eventually(async () => {
      const d = await dbs.get('pg-noowner');
      return d.status?.applied === false ? d : undefined;
    });
    assert.match(String(noOwner.status?.message), /role "ghost" does not exist/);

    await dbs.delete('pg-analytics');
    await t.eventually(async () => {
      try {
        await dbs.get('pg-analytics');
        return undefined;
      } catch {
        return true;
      }
    });
  });

  test('a Database for a cluster that does not exist gets no status and no finalizer', async () => {
    const dbs = cnpg(t, 'databases');
    await dbs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'lonely' },
      spec: { cluster: { name: 'absent' }, name: 'lonely', owner: 'app' },
    });
    await t.settle();
    const d = await dbs.get('lonely');
    assert.equal(d.status, undefined);
    assert.equal(d.metadata.finalizers, undefined);
  });

  test('managed roles report reconciled and pending roles; the password secret version is tracked', async () => {
    await t.core.createNamespacedSecret({
      namespace: t.namespace,
      body: {
        metadata: { name: 'pg-reporting', labels: { 'cnpg.io/reload': 'true' } },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'reporting', password: 's3cret' },
      },
    });
    const status = await t.eventually(async () => {
      const c = await cnpg(t, 'clusters').get('pg');
      const roles = c.status?.managedRolesStatus as
        | {
            byStatus: Record<string, string[]>;
            cannotReconcile?: Record<string, string[]>;
            passwordStatus?: Record<string, { resourceVersion: string }>;
          }
        | undefined;
      return roles?.byStatus.reconciled?.includes('reporting') ? roles : undefined;
    });
    assert.deepEqual(status.byStatus['pending-reconciliation'], ['orphaned']);
    assert.deepEqual(status.byStatus.reserved, ['postgres', 'streaming_replica']);
    assert.match(String(status.cannotReconcile?.orphaned?.[0]), /role "no_such_role" does not exist/);
    const secret = await t.core.readNamespacedSecret({ name: 'pg-reporting', namespace: t.namespace });
    assert.equal(status.passwordStatus?.reporting?.resourceVersion, secret.metadata?.resourceVersion);
  });

  test('Publications apply; a Subscription naming an unknown external cluster does not', async () => {
    const publication = cnpg(t, 'publications');
    await publication.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Publication',
      metadata: { name: 'pg-pub' },
      spec: { cluster: { name: 'pg' }, name: 'pub', dbname: 'app', target: { allTables: true } },
    });
    const pub = await t.eventually(async () => {
      const p = await publication.get('pg-pub');
      return p.status?.applied === true ? p : undefined;
    });
    assert.deepEqual(pub.metadata.finalizers, ['cnpg.io/deletePublication']);
    const subscription = cnpg(t, 'subscriptions');
    await subscription.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Subscription',
      metadata: { name: 'pg-sub' },
      spec: {
        cluster: { name: 'pg' },
        name: 'sub',
        dbname: 'app',
        publicationName: 'pub',
        externalClusterName: 'nowhere',
      },
    });
    const sub = await t.eventually(async () => {
      const p = await subscription.get('pg-sub');
      return p.status?.applied === false ? p : undefined;
    });
    assert.match(String(sub.status?.message), /nowhere/);
  });

  test('a DatabaseRole is applied; one clashing with managed roles is refused', async () => {
    const roles = cnpg(t, 'databaseroles');
    await roles.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'DatabaseRole',
      metadata: { name: 'pg-etl' },
      spec: { cluster: { name: 'pg' }, name: 'etl', login: true },
    });
    const ok = await t.eventually(async () => {
      const r = await roles.get('pg-etl');
      return r.status?.applied === true ? r : undefined;
    });
    assert.deepEqual(ok.metadata.finalizers, ['cnpg.io/deleteRole']);
    await roles.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'DatabaseRole',
      metadata: { name: 'pg-reporting-role' },
      spec: { cluster: { name: 'pg' }, name: 'reporting', login: true },
    });
    const clash = await t.eventually(async () => {
      const r = await roles.get('pg-reporting-role');
      return r.status?.applied === false ? r : undefined;
    });
    assert.equal(clash.status?.message, 'database role is already managed by the CNPG cluster');
  });

  test('deleting the cluster marks its Databases failed and releases their finalizers', async () => {
    await cnpg(t, 'clusters').create(clusterManifest('pg-tmp'));
    await t.eventually(async () =>
      (await cnpg(t, 'clusters').get('pg-tmp')).status?.phase === 'Cluster in healthy state'
        ? true
        : undefined,
    );
    const dbs = cnpg(t, 'databases');
    await dbs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'pg-tmp-db' },
      spec: { cluster: { name: 'pg-tmp' }, name: 'tmp', owner: 'app' },
    });
    await t.eventually(async () =>
      (await dbs.get('pg-tmp-db')).status?.applied === true ? true : undefined,
    );
    await cnpg(t, 'clusters').delete('pg-tmp');
    const orphan = await t.eventually(async () => {
      const d = await dbs.get('pg-tmp-db');
      return d.status?.applied === false ? d : undefined;
    });
    assert.equal(orphan.status?.message, 'cluster resource has been deleted, skipping reconciliation');
    assert.equal(orphan.metadata.finalizers, undefined);
  });
  test('objects with an owner reference to their Cluster (as cnpg-mcp makes them) are deleted with it, finalizers and all', async () => {
    const cluster = await cnpg(t, 'clusters').create(clusterManifest('pg-owner'));
    await t.eventually(async () =>
      (await cnpg(t, 'clusters').get('pg-owner')).status?.phase === 'Cluster in healthy state'
        ? true
        : undefined,
    );
    const ownerReferences = [
      {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        name: 'pg-owner',
        uid: cluster.metadata.uid!,
      },
    ];
    const dependents: [string, string, Record<string, unknown>][] = [
      [
        'databaseroles',
        'DatabaseRole',
        { name: 'boss', login: true, passwordSecret: { name: 'pg-owner-boss' } },
      ],
      ['databases', 'Database', { name: 'shop', owner: 'boss' }],
      ['poolers', 'Pooler', { instances: 1, type: 'rw', pgbouncer: { poolMode: 'session' } }],
      ['publications', 'Publication', { name: 'pub', dbname: 'shop', target: { allTables: true } }],
      ['scheduledbackups', 'ScheduledBackup', { schedule: '0 0 0 * * *', method: 'volumeSnapshot' }],
    ];
    await t.core.createNamespacedSecret({
      namespace: t.namespace,
      body: {
        metadata: { name: 'pg-owner-boss', ownerReferences },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'boss', password: 'secret' },
      },
    });
    for (const [plural, kind, spec] of dependents) {
      await cnpg(t, plural).create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind,
        metadata: { name: `pg-owner-${plural}`, ownerReferences },
        spec: { cluster: { name: 'pg-owner' }, ...spec },
      });
    }
    await t.eventually(async () =>
      (await cnpg(t, 'databaseroles').get('pg-owner-databaseroles')).metadata.finalizers?.length
        ? true
        : undefined,
    );
    await cnpg(t, 'clusters').delete('pg-owner');
    const gone = async (read: () => Promise<unknown>) => {
      try {
        await read();
        return undefined;
      } catch (error) {
        return (error as { code?: number }).code === 404 ? true : undefined;
      }
    };
    for (const [plural] of dependents) {
      await t.eventually(() => gone(() => cnpg(t, plural).get(`pg-owner-${plural}`)));
    }
    await t.eventually(() =>
      gone(() => t.core.readNamespacedSecret({ namespace: t.namespace, name: 'pg-owner-boss' })),
    );
  });
});
