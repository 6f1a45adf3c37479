import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  count,
  fails,
  getCr,
  type Loose,
  NS,
  type ObjectsEnv,
  ok,
  startObjectsEnv,
} from '../support/objects-support.js';

// Backups a person sets up end to end through MCP (issue 18): a destination chosen among the
// ObjectStores an administrator made, archiving seen working, on-demand and scheduled backups,
// point-in-time recovery into a new cluster, and the refusals that write nothing.
let env: ObjectsEnv;
const STORES = { group: 'barmancloud.cnpg.io', version: 'v1', namespace: NS, plural: 'objectstores' };

async function objectStore(name: string, labels: Record<string, string> = {}) {
  await env.custom.createNamespacedCustomObject({
    ...STORES,
    body: {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name, labels },
      spec: {
        configuration: {
          destinationPath: `s3://${name}/`,
          s3Credentials: {
            accessKeyId: { name: `${name}-creds`, key: 'ACCESS_KEY_ID' },
            secretAccessKey: { name: `${name}-creds`, key: 'ACCESS_SECRET_KEY' },
          },
          wal: { compression: 'gzip' },
        },
        retentionPolicy: '30d',
      },
    },
  });
}

before(async () => {
  env = await startObjectsEnv();
  // The administrator's shared store (no owner label), and one bob made and labelled as his own.
  await objectStore('shared');
  const bob = (await ok(env.bob, 'whoami', {})) as Loose;
  await objectStore('bobs-bucket', { 'cnpg-mcp.io/created-by': bob.userId });
});

after(async () => {
  await env?.close();
});

describe('backups end to end', () => {
  test('cluster_create with an allowed plugin destination; archiving works; on-demand and scheduled backups; PITR', async () => {
    const created = await ok(env.alice, 'cluster_create', {
      name: 'ledger',
      storage_size: '1Gi',
      backup_destination: { object_store: 'shared', volume_snapshot_class: 'csi-snapshots' },
      wait: true,
      wait_timeout_seconds: 60,
    });
    assert.equal(created.action, 'created');
    const cluster = await getCr(env, 'clusters', 'ledger');
    const [plugin] = cluster?.spec.plugins ?? [];
    assert.equal(plugin.name, 'barman-cloud.cloudnative-pg.io');
    assert.equal(plugin.isWALArchiver, true);
    assert.deepEqual(plugin.parameters, { barmanObjectName: 'shared' });
    assert.equal(cluster?.spec.backup.volumeSnapshot.className, 'csi-snapshots');
    await env.kube.settle();

    const before = await ok(env.alice, 'backup_destination_get', { cluster: 'ledger' });
    assert.equal(before.destination.objectStore, 'shared');
    assert.equal(before.destination.serverName, 'ledger');
    assert.deepEqual(before.destination.methods, ['plugin', 'volumeSnapshot']);
    assert.equal(before.archiving.configured, true);
    assert.equal(before.archiving.healthy, true, JSON.stringify(before.archiving));
    assert.equal(before.archiving.reason, 'ContinuousArchivingSuccess');

    const onDemand = await ok(env.alice, 'backup_create', {
      cluster: 'ledger',
      name: 'ledger-now',
      wait: true,
      wait_timeout_seconds: 60,
    });
    assert.equal(onDemand.backup.phase, 'completed');
    assert.equal(onDemand.backup.method, 'plugin');
    await ok(env.alice, 'scheduled_backup_create', {
      cluster: 'ledger',
      name: 'ledger-nightly',
      schedule: '0 0 2 * * *',
      immediate: true,
    });
    await env.kube.settle();
    const scheduled = await ok(env.alice, 'backup_list', { cluster: 'ledger' });
    const fromSchedule = scheduled.backups.find((b: { name: string }) =>
      b.name.startsWith('ledger-nightly-'),
    );
    assert.ok(fromSchedule, JSON.stringify(scheduled.backups));
    await ok(env.alice, 'backup_wait', { name: fromSchedule.name, timeout_seconds: 60 });

    const overview = await ok(env.alice, 'backup_destination_get', { cluster: 'ledger' });
    assert.ok(overview.lastSuccessfulBackupByMethod.plugin, JSON.stringify(overview));
    assert.ok(overview.firstRecoverabilityPoint, 'the ObjectStore records the recovery window');
    assert.ok(
      overview.lastRecoverabilityPoint >= overview.firstRecoverabilityPoint,
      'overview.lastRecoverabilityPoint >= overview.firstRecoverabilityPoint',
    );
    const store = (await env.custom.getNamespacedCustomObject({ ...STORES, name: 'shared' })) as Loose;
    assert.ok(
      store.status.serverRecoveryWindow.ledger.lastSuccessfulBackupTime,
      'store.status.serverRecoveryWindow.ledger.lastSuccessfulBackupTime',
    );

    const targetTime = (await getCr(env, 'backups', 'ledger-now'))?.status.stoppedAt;
    const restored = await ok(env.alice, 'backup_restore', {
      name: 'ledger-pitr',
      backup: 'ledger-now',
      target_time: targetTime,
      wait: true,
      wait_timeout_seconds: 60,
    });
    assert.equal(restored.sourceCluster, 'ledger');
    const pitr = await getCr(env, 'clusters', 'ledger-pitr');
    assert.equal(pitr?.spec.bootstrap.recovery.recoveryTarget.targetTime, targetTime);
    assert.equal(pitr?.spec.externalClusters[0].plugin.parameters.barmanObjectName, 'shared');
    assert.equal(pitr?.status.phase, 'Cluster in healthy state');
  });

  test('backup_destination_set on an existing cluster, dry run first', async () => {
    await ok(env.alice, 'cluster_create', { name: 'orders', storage_size: '1Gi', wait: true });
    await fails(env.alice, 'backup_create', { cluster: 'orders' }, /no backup configuration/);
    await ok(env.alice, 'backup_destination_set', {
      cluster: 'orders',
      object_store: 'shared',
      dry_run: true,
    });
    assert.equal((await getCr(env, 'clusters', 'orders'))?.spec.plugins, undefined);
    const set = await ok(env.alice, 'backup_destination_set', {
      cluster: 'orders',
      object_store: 'shared',
      server_name: 'orders-v1',
    });
    assert.equal(set.destination.serverName, 'orders-v1');
    const spec = (await getCr(env, 'clusters', 'orders'))?.spec;
    assert.deepEqual(spec.plugins[0].parameters, { barmanObjectName: 'shared', serverName: 'orders-v1' });
    await env.kube.settle();
    const got = await ok(env.alice, 'backup_destination_get', { cluster: 'orders' });
    assert.equal(got.archiving.healthy, true);
  });

  test('cluster_status shows archiving and backups, and what is wrong when archiving fails', async () => {
    const status = await ok(env.alice, 'cluster_status', { name: 'ledger' });
    assert.equal(status.backups.archiving.healthy, true);
    assert.ok(
      status.backups.lastSuccessfulBackupByMethod.plugin,
      'status.backups.lastSuccessfulBackupByMethod.plugin',
    );
    assert.ok(status.firstRecoverabilityPoint, 'status.firstRecoverabilityPoint');
    // The administrator removes the store a cluster archives to: archiving fails, and says why.
    await objectStore('retired');
    await ok(env.alice, 'cluster_create', {
      name: 'archiver',
      storage_size: '1Gi',
      backup_destination: { object_store: 'retired' },
      wait: true,
    });
    await env.custom.deleteNamespacedCustomObject({ ...STORES, name: 'retired' });
    await env.kube.settle();
    const failing = await ok(env.alice, 'cluster_status', { name: 'archiver' });
    assert.equal(failing.backups.archiving.healthy, false);
    assert.equal(failing.backups.archiving.reason, 'ContinuousArchivingFailing');
    assert.match(failing.backups.archiving.message, /ObjectStore\.barmancloud\.cnpg\.io "retired" not found/);
    assert.equal(failing.backups.lastRecoverabilityPoint, '');
    const text = await ok(env.alice, 'backup_destination_get', { cluster: 'archiver' });
    assert.equal(text.archiving.healthy, false);
  });
});

describe('refusals write nothing', () => {
  test('a store that does not exist, someone else’s store, a store the policy does not name', async () => {
    const clusters = await count(env, 'clusters');
    await fails(
      env.alice,
      'cluster_create',
      { name: 'leak', storage_size: '1Gi', backup_destination: { object_store: 'nowhere' } },
      /ObjectStore team-a\/nowhere not found/,
    );
    await fails(
      env.alice,
      'cluster_create',
      { name: 'leak', storage_size: '1Gi', backup_destination: { object_store: 'bobs-bucket' } },
      /rule backupDestinations.*created by devstack-bob/,
    );
    assert.equal(await count(env, 'clusters'), clusters);
    assert.equal(await getCr(env, 'clusters', 'leak'), undefined);
    // On an existing cluster: its spec is unchanged.
    const before = (await getCr(env, 'clusters', 'orders'))?.spec.plugins;
    await fails(
      env.alice,
      'backup_destination_set',
      { cluster: 'orders', object_store: 'bobs-bucket' },
      /rule backupDestinations/,
    );
    assert.deepEqual((await getCr(env, 'clusters', 'orders'))?.spec.plugins, before);
  });

  test('bob cannot point alice’s cluster anywhere, nor restore her backup', async () => {
    const before = (await getCr(env, 'clusters', 'ledger'))?.spec;
    await fails(
      env.bob,
      'backup_destination_set',
      { cluster: 'ledger', object_store: 'bobs-bucket' },
      /rule ownership|created by/,
    );
    assert.deepEqual((await getCr(env, 'clusters', 'ledger'))?.spec, before);
    await fails(env.bob, 'backup_restore', { name: 'stolen', backup: 'ledger-now' }, /created by/);
    assert.equal(await getCr(env, 'clusters', 'stolen'), undefined);
  });

  test('a target outside the window is refused before anything is written', async () => {
    const stopped = (await getCr(env, 'backups', 'ledger-now'))?.status.stoppedAt as string;
    const early = new Date(Date.parse(stopped) - 3_600_000).toISOString();
    await fails(
      env.alice,
      'backup_restore',
      { name: 'ledger-early', backup: 'ledger-now', target_time: early },
      /target_time: .* is before backup ledger-now ended/,
    );
    const future = new Date(Date.now() + 86_400_000).toISOString();
    await fails(
      env.alice,
      'backup_restore',
      { name: 'ledger-later', backup: 'ledger-now', target_time: future },
      /target_time: .* is in the future/,
    );
    assert.equal(await getCr(env, 'clusters', 'ledger-early'), undefined);
    assert.equal(await getCr(env, 'clusters', 'ledger-later'), undefined);
  });
});

describe('restoring from the object store, without a Backup object', () => {
  test('a live cluster’s archive to a point in time; a deleted cluster’s archive through its Backups', async () => {
    const stopped = (await getCr(env, 'backups', 'ledger-now'))?.status.stoppedAt as string;
    const out = await ok(env.alice, 'backup_restore_from_store', {
      name: 'ledger-store',
      object_store: 'shared',
      server_name: 'ledger',
      target_time: stopped,
      storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    assert.equal(out.phase, 'Cluster in healthy state');
    const restored = await getCr(env, 'clusters', 'ledger-store');
    assert.equal(restored?.spec.bootstrap.recovery.source, 'origin');
    assert.equal(restored?.spec.bootstrap.recovery.backup, undefined);
    assert.deepEqual(restored?.spec.externalClusters[0].plugin.parameters, {
      barmanObjectName: 'shared',
      serverName: 'ledger',
    });

    // A cluster deleted after a backup: its archive stays, found by server name.
    await ok(env.alice, 'cluster_create', {
      name: 'ephemeral',
      storage_size: '1Gi',
      backup_destination: { object_store: 'shared' },
      wait: true,
    });
    await ok(env.alice, 'backup_create', { cluster: 'ephemeral', name: 'ephemeral-last', wait: true });
    await ok(env.alice, 'cluster_delete', { name: 'ephemeral', confirm: 'ephemeral' });
    await env.kube.settle();
    assert.equal(await getCr(env, 'clusters', 'ephemeral'), undefined);
    const backupId = (await getCr(env, 'backups', 'ephemeral-last'))?.status.backupId;
    await fails(
      env.alice,
      'backup_restore_from_store',
      {
        name: 'ephemeral-back',
        object_store: 'shared',
        server_name: 'ephemeral',
        target_name: 'before-deploy',
        storage_size: '1Gi',
      },
      /backup_id: required with target_name.*BackupID is missing/,
    );
    await ok(env.alice, 'backup_restore_from_store', {
      name: 'ephemeral-back',
      object_store: 'shared',
      server_name: 'ephemeral',
      backup_id: backupId,
      target_name: 'before-deploy',
      storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
    const back = await getCr(env, 'clusters', 'ephemeral-back');
    assert.deepEqual(back?.spec.bootstrap.recovery.recoveryTarget, {
      backupID: backupId,
      targetName: 'before-deploy',
    });
    assert.equal(back?.status.phase, 'Cluster in healthy state');
  });

  test('refusals: someone else’s archive, an unknown server, a time before the window; nothing written', async () => {
    const clusters = await count(env, 'clusters');
    await fails(
      env.bob,
      'backup_restore_from_store',
      { name: 'bob-copy', object_store: 'shared', server_name: 'ledger', storage_size: '1Gi' },
      /rule ownership.*created by devstack-alice/,
    );
    await fails(
      env.bob,
      'backup_restore_from_store',
      { name: 'bob-copy', object_store: 'shared', server_name: 'ephemeral', storage_size: '1Gi' },
      /Backup team-a\/ephemeral-last.*created by devstack-alice/,
    );
    await fails(
      env.bob,
      'backup_restore_from_store',
      { name: 'bob-copy', object_store: 'shared', server_name: 'nobody', storage_size: '1Gi' },
      /nothing in this namespace shows that server nobody .* is yours/,
    );
    await fails(
      env.alice,
      'backup_restore_from_store',
      { name: 'alice-copy', object_store: 'bobs-bucket', server_name: 'ledger', storage_size: '1Gi' },
      /rule backupDestinations/,
    );
    await fails(
      env.alice,
      'backup_restore_from_store',
      { name: 'alice-copy', object_store: 'shared', server_name: 'orders-v1', storage_size: '1Gi' },
      /records no backup of server orders-v1/,
    );
    const first = ((await env.custom.getNamespacedCustomObject({ ...STORES, name: 'shared' })) as Loose)
      .status.serverRecoveryWindow.ledger.firstRecoverabilityPoint as string;
    await fails(
      env.alice,
      'backup_restore_from_store',
      {
        name: 'alice-copy',
        object_store: 'shared',
        server_name: 'ledger',
        target_time: new Date(Date.parse(first) - 60_000).toISOString(),
        storage_size: '1Gi',
      },
      /target_time: .* is before the first recoverability point of ledger/,
    );
    // The deleted cluster's last Backup deleted too: its archive stays in the store, but nothing
    // here says whose it is any more, so only an admin may restore it.
    await ok(env.alice, 'backup_delete', { name: 'ephemeral-last', confirm: 'ephemeral-last' });
    await env.kube.settle();
    await fails(
      env.bob,
      'backup_restore_from_store',
      { name: 'bob-copy', object_store: 'shared', server_name: 'ephemeral', storage_size: '1Gi' },
      /rule ownership.*nothing in this namespace shows that server ephemeral/,
    );
    assert.equal(await count(env, 'clusters'), clusters);
    assert.equal(await getCr(env, 'clusters', 'bob-copy'), undefined);
    assert.equal(await getCr(env, 'clusters', 'alice-copy'), undefined);
  });
});
