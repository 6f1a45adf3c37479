import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminPatch,
  aliceCluster,
  count,
  fails,
  getCr,
  listCr,
  NS,
  type ObjectsEnv,
  OTHER_NS,
  ok,
  startObjectsEnv,
} from '../support/objects-support.js';

let env: ObjectsEnv;
const PLUGIN = 'barman-cloud.cloudnative-pg.io';

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, 'pg-bk');
  await aliceCluster(env, 'pg-plain');
  // An administrator configures backups (the Barman Cloud plugin's ObjectStore and volume snapshots).
  await env.custom.createNamespacedCustomObject({
    group: 'barmancloud.cnpg.io',
    version: 'v1',
    namespace: NS,
    plural: 'objectstores',
    body: {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name: 'store' },
      spec: { configuration: { destinationPath: 's3://backups/' } },
    },
  });
  await adminPatch(env, 'clusters', 'pg-bk', {
    spec: {
      plugins: [{ name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'store' } }],
      backup: { volumeSnapshot: { className: 'csi-snapshots' } },
    },
  });
  await env.kube.settle();
});

after(async () => {
  await env?.close();
});

describe('on-demand backups', () => {
  test('backup_create detects the plugin, waits with progress notifications and completes', async () => {
    const progress: string[] = [];
    const result = await env.alice.callTool(
      {
        name: 'backup_create',
        arguments: { cluster: 'pg-bk', name: 'pg-bk-first', wait: true, wait_timeout_seconds: 60 },
      },
      undefined,
      { onprogress: (p) => progress.push(`${p.progress}/${p.total}: ${p.message}`) },
    );
    assert.ok(!result.isError, JSON.stringify(result.content));
    const out = result.structuredContent as { backup: { phase: string; method: string }; waited: boolean };
    assert.equal(out.waited, true);
    assert.equal(out.backup.phase, 'completed');
    assert.equal(out.backup.method, 'plugin');
    assert.ok(progress.length >= 1, 'progress was reported');
    assert.match(progress.at(-1) ?? '', /^4\/4: backup pg-bk-first: completed/);
    const backup = await getCr(env, 'backups', 'pg-bk-first');
    assert.deepEqual(backup?.spec.pluginConfiguration, { name: PLUGIN });
    assert.equal(backup?.metadata.labels['cnpg.io/cluster'], 'pg-bk');
    assert.match(backup?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
  });

  test('a volume-snapshot backup with a generated name, then backup_wait, list and get', async () => {
    const out = await ok(env.alice, 'backup_create', {
      cluster: 'pg-bk',
      method: 'volumeSnapshot',
      online: false,
    });
    assert.match(out.name, /^pg-bk-\d{14}$/);
    const waited = await ok(env.alice, 'backup_wait', { name: out.name, timeout_seconds: 60 });
    assert.equal(waited.outcome, 'completed');
    const list = await ok(env.alice, 'backup_list', { cluster: 'pg-bk' });
    assert.equal(list.backups.length, 2);
    const times = list.backups.map(
      (b: { startedAt: string; createdAt: string }) => b.startedAt || b.createdAt,
    );
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    const got = await ok(env.alice, 'backup_get', { name: 'pg-bk-first', detail: 'detailed' });
    assert.equal(got.backup.phase, 'completed');
    assert.ok(got.status, 'got.status');
  });

  test('bad input and unsupported methods are refused before anything is written', async () => {
    const before = await count(env, 'backups');
    await fails(env.alice, 'backup_create', { cluster: 'pg-bk', name: 'Bad_Name' }, /name/);
    await fails(env.alice, 'backup_create', { cluster: 'pg-bk', method: 'tape' }, /method/);
    await fails(
      env.alice,
      'backup_create',
      { cluster: 'pg-bk', method: 'barmanObjectStore' },
      /method: cluster pg-bk is not configured for barmanObjectStore/,
    );
    await fails(
      env.alice,
      'backup_create',
      { cluster: 'pg-bk', method: 'volumeSnapshot', plugin_name: PLUGIN },
      /plugin_name/,
    );
    await fails(env.alice, 'backup_create', { cluster: 'pg-plain' }, /has no backup configuration/);
    assert.equal(await count(env, 'backups'), before);
  });

  test('not found, forbidden namespace, ownership, dry run', async () => {
    await fails(env.alice, 'backup_get', { name: 'nope' }, /not found/);
    await fails(env.alice, 'backup_create', { cluster: 'pg-none' }, /not found/);
    await fails(env.alice, 'backup_list', { namespace: OTHER_NS }, /rule namespace/);
    await fails(env.bob, 'backup_create', { cluster: 'pg-bk' }, /rule ownership/);
    const before = await count(env, 'backups');
    const dry = await ok(env.alice, 'backup_create', { cluster: 'pg-bk', name: 'pg-bk-dry', dry_run: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.object.kind, 'Backup');
    assert.equal(await count(env, 'backups'), before);
  });

  test('backup_wait honours cancellation and reports it in the audit log', async () => {
    // A backup of a cluster that does not exist stays pending (CloudNativePG retries every 30 s).
    await env.custom.createNamespacedCustomObject({
      group: 'postgresql.cnpg.io',
      version: 'v1',
      namespace: NS,
      plural: 'backups',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Backup',
        metadata: { name: 'stuck' },
        spec: { cluster: { name: 'ghost' } },
      },
    });
    const controller = new AbortController();
    const call = env.alice.callTool(
      { name: 'backup_wait', arguments: { name: 'stuck', timeout_seconds: 60 } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => controller.abort(),
      },
    );
    await assert.rejects(call, /abort/i);
    for (let i = 0; i < 50; i++) {
      if (
        env.api.audit
          .records<{ tool: string; outcome: string }>()
          .some((r) => r.tool === 'backup_wait' && r.outcome === 'cancelled')
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const audit = env.api.audit.records<{ tool: string; outcome: string }>();
    assert.ok(
      audit.some((r) => r.tool === 'backup_wait' && r.outcome === 'cancelled'),
      "audit.some((r) => r.tool === 'backup_wait' && r.outcome === 'cancelled')",
    );
  });
});

describe('scheduled backups', () => {
  test('a five-field or out-of-range schedule is refused naming the field', async () => {
    await fails(
      env.alice,
      'scheduled_backup_create',
      { cluster: 'pg-bk', name: 'nightly', schedule: '0 2 * * *' },
      /schedule: .*expected 6 fields.*prepend "0 "/,
    );
    await fails(
      env.alice,
      'scheduled_backup_create',
      { cluster: 'pg-bk', name: 'nightly', schedule: '0 0 25 * * *' },
      /schedule: hour: "25" is outside 0-23/,
    );
    assert.equal(await count(env, 'scheduledbackups'), 0);
  });

  test('create, list, suspend, resume, delete', async () => {
    const out = await ok(env.alice, 'scheduled_backup_create', {
      cluster: 'pg-bk',
      name: 'nightly',
      schedule: '0 0 2 * * *',
      backup_owner_reference: 'self',
    });
    assert.equal(out.scheduledBackup.schedule, '0 0 2 * * *');
    const sb = await getCr(env, 'scheduledbackups', 'nightly');
    assert.equal(sb?.spec.method, 'plugin');
    assert.equal(sb?.spec.backupOwnerReference, 'self');
    assert.match(sb?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
    await ok(env.alice, 'scheduled_backup_suspend', { name: 'nightly', dry_run: true });
    assert.notEqual((await getCr(env, 'scheduledbackups', 'nightly'))?.spec.suspend, true);
    const suspended = await ok(env.alice, 'scheduled_backup_suspend', { name: 'nightly' });
    assert.equal(suspended.scheduledBackup.suspended, true);
    assert.equal((await getCr(env, 'scheduledbackups', 'nightly'))?.spec.suspend, true);
    await ok(env.alice, 'scheduled_backup_resume', { name: 'nightly' });
    assert.equal((await getCr(env, 'scheduledbackups', 'nightly'))?.spec.suspend, false);
    const list = await ok(env.alice, 'scheduled_backup_list', { cluster: 'pg-bk' });
    assert.deepEqual(
      list.scheduledBackups.map((s: { name: string }) => s.name),
      ['nightly'],
    );
    await fails(env.bob, 'scheduled_backup_suspend', { name: 'nightly' }, /rule ownership/);
    await fails(env.alice, 'scheduled_backup_delete', { name: 'nightly', confirm: 'daily' }, /confirm/);
    await ok(env.alice, 'scheduled_backup_delete', { name: 'nightly', confirm: 'nightly' });
    assert.equal(await getCr(env, 'scheduledbackups', 'nightly'), undefined);
  });
});

describe('restore', () => {
  test('backup_restore creates a new cluster from a plugin backup to a point in time', async () => {
    // A point after the backup ended (the earliest the backup can reach).
    const targetTime = (await getCr(env, 'backups', 'pg-bk-first'))?.status.stoppedAt;
    const out = await ok(env.alice, 'backup_restore', {
      name: 'pg-restored',
      backup: 'pg-bk-first',
      target_time: targetTime,
    });
    assert.equal(out.sourceCluster, 'pg-bk');
    const cluster = await getCr(env, 'clusters', 'pg-restored');
    assert.equal(cluster?.spec.bootstrap.recovery.source, 'origin');
    assert.equal(cluster?.spec.bootstrap.recovery.recoveryTarget.targetTime, targetTime);
    assert.ok(
      cluster?.spec.bootstrap.recovery.recoveryTarget.backupID,
      'cluster?.spec.bootstrap.recovery.recoveryTarget.backupID',
    );
    const [origin] = cluster?.spec.externalClusters ?? [];
    assert.equal(origin.name, 'origin');
    assert.equal(origin.plugin.name, PLUGIN);
    assert.deepEqual(origin.plugin.parameters, { barmanObjectName: 'store', serverName: 'pg-bk' });
    assert.equal(cluster?.spec.storage.size, '1Gi');
    assert.match(cluster?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
  });

  test('backup_restore with wait reports progress until the new cluster is healthy', async () => {
    const progress: string[] = [];
    const result = await env.alice.callTool(
      {
        name: 'backup_restore',
        arguments: { name: 'pg-restored-wait', backup: 'pg-bk-first', wait: true, wait_timeout_seconds: 60 },
      },
      undefined,
      { onprogress: (p) => progress.push(`${p.progress}/${p.total}: ${p.message}`) },
    );
    assert.ok(!result.isError, JSON.stringify(result.content));
    const out = result.structuredContent as { waited: boolean; phase: string };
    assert.equal(out.waited, true);
    assert.equal(out.phase, 'Cluster in healthy state');
    assert.ok(progress.length >= 1, 'progress was reported');
    assert.match(progress.at(-1) ?? '', /^1\/1: Cluster in healthy state/);
  });

  test('restore refuses two targets, an incomplete backup, a different major; dry run writes nothing', async () => {
    const before = await count(env, 'clusters');
    await fails(
      env.alice,
      'backup_restore',
      { name: 'pg-x', backup: 'pg-bk-first', target_lsn: '0/3000060', target_xid: '42' },
      /target_lsn, target_xid: give at most one/,
    );
    // `stuck` was made by an administrator, outside cnpg-mcp: only admins may restore it (issue 12).
    await fails(env.alice, 'backup_restore', { name: 'pg-x', backup: 'stuck' }, /rule unlabelled/);
    const owner = (await getCr(env, 'backups', 'pg-bk-first'))?.metadata.labels['cnpg-mcp.io/created-by'];
    await adminPatch(env, 'backups', 'stuck', { metadata: { labels: { 'cnpg-mcp.io/created-by': owner } } });
    await fails(env.alice, 'backup_restore', { name: 'pg-x', backup: 'stuck' }, /not completed/);
    await fails(
      env.alice,
      'backup_restore',
      { name: 'pg-x', backup: 'pg-bk-first', image: 'ghcr.io/cloudnative-pg/postgresql:14.18' },
      /image: PostgreSQL 14 does not match/,
    );
    await fails(
      env.alice,
      'backup_restore',
      { name: 'pg-x', backup: 'pg-bk-first', target_lsn: 'zz' },
      /target_lsn/,
    );
    const dry = await ok(env.alice, 'backup_restore', { name: 'pg-x', backup: 'pg-bk-first', dry_run: true });
    assert.equal(dry.object.kind, 'Cluster');
    assert.equal(await count(env, 'clusters'), before);
    await fails(
      env.alice,
      'backup_restore',
      { namespace: OTHER_NS, name: 'pg-x', backup: 'pg-bk-first' },
      /rule namespace/,
    );
  });
});

test('backup_delete needs confirmation and ownership', async () => {
  await fails(env.alice, 'backup_delete', { name: 'pg-bk-first', confirm: 'x' }, /confirm/);
  await fails(env.bob, 'backup_delete', { name: 'pg-bk-first', confirm: 'pg-bk-first' }, /rule ownership/);
  await ok(env.alice, 'backup_delete', { name: 'pg-bk-first', confirm: 'pg-bk-first', dry_run: true });
  assert.ok(await getCr(env, 'backups', 'pg-bk-first'), "await getCr(env, 'backups', 'pg-bk-first')");
  await ok(env.alice, 'backup_delete', { name: 'pg-bk-first', confirm: 'pg-bk-first' });
  assert.equal(await getCr(env, 'backups', 'pg-bk-first'), undefined);
  assert.ok((await listCr(env, 'backups')).length >= 1, "(await listCr(env, 'backups')).length >= 1");
});
