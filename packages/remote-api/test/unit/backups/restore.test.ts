import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupRestore } from '@cnpg-mcp/catalog';
import type { Identity } from '../../../src/identity.js';
import { OWNER_LABEL } from '../../../src/identity.js';
import type { Access } from '../../../src/policy.js';
import { backupRestoreTool, planRestore, type RestoreSeen } from '../../../src/tools/backups/restore.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import type { NameClaims } from '../../../src/tools/cluster/name-claims.js';
import type { KubeObject } from '../../../src/tools/framework/kinds.js';
import { resolveReferences } from '../../../src/tools/framework/resolve.js';
import {
  accessOf,
  admin,
  alice,
  backedUpCluster,
  bob,
  deniedBy,
  type Loose,
  object,
  objectsApi,
  PLUGIN,
  refusedWith,
} from './fixtures.js';

const args = (input: Record<string, unknown>) => backupRestore.inputSchema.parse({ name: 'copy', ...input });

function completedBackup(name: string, cluster: string, owner = alice, status: Record<string, unknown> = {}) {
  return object('Backup', name, owner, {
    spec: { cluster: { name: cluster }, method: 'plugin', pluginConfiguration: { name: PLUGIN } },
    status: {
      phase: 'completed',
      method: 'plugin',
      backupId: '20260821T101500',
      majorVersion: 17,
      ...status,
    },
  });
}

const source = backedUpCluster('orders', alice) as unknown as ClusterObject;
const backup = completedBackup('orders-1', 'orders');
const asAlice = { access: accessOf(alice), identity: alice };
const unclaimed: NameClaims = { existing: undefined, neighbours: [], secrets: [] };
/** planRestore where nothing else names the new cluster, unless `seen.claims` says otherwise. */
const planWith = (
  input: ReturnType<typeof args>,
  seen: Omit<RestoreSeen, 'claims'> & { claims?: NameClaims },
  caller: { access: Access; identity: Identity },
) => planRestore(input, { claims: unclaimed, ...seen }, caller);
const spec = (plan: { cluster: KubeObject }) => plan.cluster.spec as Loose;

describe('planRestore: what the new cluster is', () => {
  test('a plugin backup to a point in time: recovery from the source through its plugin, the source’s image and storage', () => {
    const plan = planWith(
      args({ backup: 'orders-1', target_time: '2026-08-21T10:15:00Z' }),
      { backup, source },
      asAlice,
    );
    assert.equal(plan.sourceName, 'orders');
    assert.deepEqual(plan.recoveryTarget, { targetTime: '2026-08-21T10:15:00Z' });
    assert.equal(plan.pitr, ' to time 2026-08-21T10:15:00Z');
    assert.equal(plan.cluster.metadata.name, 'copy');
    assert.deepEqual(spec(plan).bootstrap, {
      recovery: {
        source: 'origin',
        recoveryTarget: { backupID: '20260821T101500', targetTime: '2026-08-21T10:15:00Z' },
      },
    });
    assert.deepEqual(spec(plan).externalClusters, [
      {
        name: 'origin',
        plugin: { name: PLUGIN, parameters: { barmanObjectName: 'store', serverName: 'orders' } },
      },
    ]);
    assert.equal(spec(plan).imageName, 'ghcr.io/cloudnative-pg/postgresql:17.5');
    assert.deepEqual(spec(plan).storage, { size: '1Gi' });
    assert.deepEqual(spec(plan).inheritedMetadata, { labels: { [OWNER_LABEL]: alice.userId } });
  });

  test('an in-tree object-store backup names the Backup; an exclusive target', () => {
    const barman = completedBackup('orders-2', 'orders', alice, { method: 'barmanObjectStore' });
    barman.spec = { cluster: { name: 'orders' } };
    const plan = planWith(
      args({ backup: 'orders-2', target_lsn: '0/3000060', target_inclusive: false }),
      { backup: barman, source },
      asAlice,
    );
    assert.deepEqual(spec(plan).bootstrap, {
      recovery: { backup: { name: 'orders-2' }, recoveryTarget: { targetLSN: '0/3000060', exclusive: true } },
    });
    assert.equal(spec(plan).externalClusters, undefined);
  });

  test('an object-store backup to a transaction id names its backup id (CloudNativePG: "BackupID is missing" otherwise)', () => {
    const barman = completedBackup('orders-2', 'orders', alice, { method: 'barmanObjectStore' });
    barman.spec = { cluster: { name: 'orders' } };
    const plan = planWith(
      args({ backup: 'orders-2', target_xid: '742' }),
      { backup: barman, source },
      asAlice,
    );
    assert.deepEqual(spec(plan).bootstrap, {
      recovery: {
        backup: { name: 'orders-2' },
        recoveryTarget: { backupID: '20260821T101500', targetXID: '742' },
      },
    });
    const noId = completedBackup('orders-5', 'orders', alice, { method: 'barmanObjectStore', backupId: '' });
    assert.throws(
      () => planWith(args({ backup: 'orders-5', target_xid: '742' }), { backup: noId, source }, asAlice),
      refusedWith('precondition', /target_xid: backup orders-5 records no backup id/),
    );
    assert.throws(
      () =>
        planWith(args({ backup: 'orders-2', target_xid: '4294967296' }), { backup: barman, source }, asAlice),
      refusedWith('invalid_input', /target_xid: a transaction id is at most 4294967295/),
    );
  });

  test('a volume-snapshot backup restores its data and WAL snapshots; to a point in time it needs the WAL archive', () => {
    const snapshots = completedBackup('orders-3', 'orders', alice, {
      method: 'volumeSnapshot',
      snapshotBackupStatus: {
        elements: [
          { name: 'snap-data', type: 'PG_DATA' },
          { name: 'snap-wal', type: 'PG_WAL' },
        ],
      },
    });
    const withWal = backedUpCluster('orders', alice, {
      walStorage: { size: '512Mi' },
    }) as unknown as ClusterObject;
    const plan = planWith(args({ backup: 'orders-3' }), { backup: snapshots, source: withWal }, asAlice);
    assert.deepEqual(spec(plan).walStorage, { size: '512Mi' }, 'the WAL snapshot needs a WAL volume');
    assert.deepEqual(spec(plan).bootstrap.recovery.volumeSnapshots, {
      storage: { name: 'snap-data', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
      walStorage: { name: 'snap-wal', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
    });
    const pitr = planWith(
      args({ backup: 'orders-3', target_xid: '42' }),
      { backup: snapshots, source: withWal },
      asAlice,
    );
    assert.equal(spec(pitr).bootstrap.recovery.source, 'origin');
    assert.equal(
      spec(pitr).bootstrap.recovery.recoveryTarget.backupID,
      undefined,
      'a snapshot restore reads its snapshots, and CloudNativePG refuses a backupID with them',
    );
    const noPlugin = backedUpCluster('orders', alice, {
      plugins: [],
      walStorage: { size: '512Mi' },
    }) as unknown as ClusterObject;
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-3', target_xid: '42' }),
          { backup: snapshots, source: noPlugin },
          asAlice,
        ),
      refusedWith(
        'invalid_input',
        /target_xid: point-in-time recovery from a volume snapshot needs the WAL archive/,
      ),
    );
  });

  test('a WAL snapshot whose cluster is gone: wal_storage_size is required and becomes the WAL volume', () => {
    const snapshots = completedBackup('orders-3', 'orders', alice, {
      method: 'volumeSnapshot',
      snapshotBackupStatus: {
        elements: [
          { name: 'snap-data', type: 'PG_DATA' },
          { name: 'snap-wal', type: 'PG_WAL' },
        ],
      },
    });
    assert.throws(
      () => planWith(args({ backup: 'orders-3', storage_size: '1Gi' }), { backup: snapshots }, asAlice),
      refusedWith(
        'invalid_input',
        /^wal_storage_size: required, because backup orders-3 has a WAL volume snapshot to restore and the source cluster orders no longer exists/,
      ),
    );
    const plan = planWith(
      args({ backup: 'orders-3', storage_size: '1Gi', wal_storage_size: '512Mi', storage_class: 'fast' }),
      { backup: snapshots },
      asAlice,
    );
    assert.deepEqual(spec(plan).walStorage, { size: '512Mi', storageClass: 'fast' });
    assert.equal(spec(plan).bootstrap.recovery.volumeSnapshots.walStorage.name, 'snap-wal');
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-3', storage_size: '1Gi', wal_storage_size: '8Gi' }),
          { backup: snapshots },
          { access: accessOf(alice, { quotas: { storagePerCluster: '5Gi' } }), identity: alice },
        ),
      deniedBy('quota.storagePerCluster'),
      'the WAL volume counts against the storage quota',
    );
  });

  test('the source gone: storage_size is required and a plugin backup cannot be restored', () => {
    const barman = completedBackup('orders-2', 'orders', alice, { method: 'barmanObjectStore' });
    assert.throws(
      () => planWith(args({ backup: 'orders-2' }), { backup: barman }, asAlice),
      refusedWith(
        'invalid_input',
        /storage_size: required, because the source cluster orders no longer exists/,
      ),
    );
    const plan = planWith(args({ backup: 'orders-2', storage_size: '2Gi' }), { backup: barman }, asAlice);
    assert.equal(spec(plan).storage.size, '2Gi');
    assert.throws(
      () => planWith(args({ backup: 'orders-1', storage_size: '2Gi' }), { backup }, asAlice),
      refusedWith('precondition', /needs the source cluster orders and its backup plugin settings/),
    );
  });
});

describe('planRestore: refusals', () => {
  const cases: {
    what: string;
    input: Record<string, unknown>;
    seen?: Partial<RestoreSeen>;
    check: (e: unknown) => boolean;
  }[] = [
    {
      what: 'two recovery targets',
      input: { target_lsn: '0/3000060', target_xid: '42' },
      check: refusedWith('invalid_input', /target_lsn, target_xid: give at most one recovery target/),
    },
    {
      what: 'a backup that is not completed',
      input: {},
      seen: { backup: completedBackup('orders-1', 'orders', alice, { phase: 'running' }) },
      check: refusedWith('precondition', /"running", not completed/),
    },
    {
      what: 'an image of another major version',
      input: { image: 'ghcr.io/cloudnative-pg/postgresql:14.18' },
      check: refusedWith(
        'invalid_input',
        /image: PostgreSQL 14 does not match the backup's major version 17/,
      ),
    },
    {
      what: 'an image from a repository the policy does not allow',
      input: { image: 'docker.io/mallory/postgresql:17' },
      check: deniedBy('images', /images\.registries/),
    },
    {
      what: 'the source cluster’s image when the policy does not allow it',
      input: {},
      seen: {
        source: backedUpCluster('orders', alice, {
          imageName: 'quay.io/someone/pg:17',
        }) as unknown as ClusterObject,
      },
      check: deniedBy('images', /quay\.io\/someone\/pg/),
    },
    {
      what: 'a snapshot backup without a data snapshot',
      input: {},
      seen: { backup: completedBackup('orders-1', 'orders', alice, { method: 'volumeSnapshot' }) },
      check: refusedWith('precondition', /records no PG_DATA volume snapshot/),
    },
  ];
  for (const c of cases) {
    test(c.what, () => {
      assert.throws(
        () => planWith(args({ backup: 'orders-1', ...c.input }), { backup, source, ...c.seen }, asAlice),
        c.check,
      );
    });
  }

  test('an admin may restore with any image', () => {
    const plan = planWith(
      args({ backup: 'orders-1', image: 'docker.io/mallory/postgresql:17' }),
      { backup, source },
      { access: accessOf(admin), identity: admin },
    );
    assert.equal(spec(plan).imageName, 'docker.io/mallory/postgresql:17');
  });

  test('instance and storage quotas', () => {
    const limited = {
      access: accessOf(alice, { quotas: { instancesPerCluster: 2, storagePerCluster: '2Gi' } }),
      identity: alice,
    };
    assert.throws(
      () => planWith(args({ backup: 'orders-1', instances: 3 }), { backup, source }, limited),
      deniedBy('quota.instancesPerCluster'),
    );
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-1', instances: 2, storage_size: '2Gi' }),
          { backup, source },
          limited,
        ),
      deniedBy('quota.storagePerCluster'),
    );
    assert.ok(
      planWith(args({ backup: 'orders-1', instances: 2 }), { backup, source }, limited),
      "planWith(args({ backup: 'orders-1', instances: 2 }), { backup, source }, limited)",
    );
  });
});

describe('planRestore: the new cluster’s name', () => {
  test('a Pooler holding one of its Service names is refused (rule names)', () => {
    const pooler = object('Pooler', 'copy-rw', bob, { spec: { cluster: { name: 'bobs' } } });
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-1' }),
          { backup, source, claims: { ...unclaimed, neighbours: [{ kind: 'Pooler', object: pooler }] } },
          asAlice,
        ),
      deniedBy('names', /Pooler copy-rw/),
    );
  });

  test('objects naming it that are not the caller’s are refused (rule dependents); the caller’s own are fine', () => {
    const role = (owner: typeof alice | undefined) =>
      object('DatabaseRole', 'copy-app', owner, { spec: { cluster: { name: 'copy' } } });
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-1' }),
          {
            backup,
            source,
            claims: { ...unclaimed, neighbours: [{ kind: 'DatabaseRole', object: role(undefined) }] },
          },
          asAlice,
        ),
      deniedBy('dependents', /DatabaseRole copy-app \(made outside cnpg-mcp\)/),
    );
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-1' }),
          {
            backup,
            source,
            claims: {
              ...unclaimed,
              secrets: [{ kind: 'Secret', object: object('Secret', 'copy-app', bob) }],
            },
          },
          asAlice,
        ),
      deniedBy('dependents', /Secret copy-app/),
    );
    assert.ok(
      planWith(
        args({ backup: 'orders-1' }),
        {
          backup,
          source,
          claims: { ...unclaimed, neighbours: [{ kind: 'DatabaseRole', object: role(alice) }] },
        },
        asAlice,
      ),
      "planWith(args({ backup: 'orders-1' }), { backup, source, claims: { ...unclaimed, neighb…",
    );
  });
});

describe('planRestore: a source whose image comes from a catalog', () => {
  const catalogued = (kind: string) =>
    backedUpCluster('orders', alice, {
      imageName: undefined,
      imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind, name: 'pg', major: 17 },
    }) as unknown as ClusterObject;

  test('an ImageCatalog an administrator made, and any ClusterImageCatalog, are reused', () => {
    for (const [kind, owner] of [
      ['ImageCatalog', undefined],
      ['ClusterImageCatalog', undefined],
    ] as const) {
      const plan = planWith(
        args({ backup: 'orders-1' }),
        { backup, source: catalogued(kind), catalog: object(kind, 'pg', owner) },
        asAlice,
      );
      assert.deepEqual(spec(plan).imageCatalogRef, {
        apiGroup: 'postgresql.cnpg.io',
        kind,
        name: 'pg',
        major: 17,
      });
      assert.equal(spec(plan).imageName, undefined);
    }
  });

  test('an ImageCatalog made through cnpg-mcp is refused by default', () => {
    assert.throws(
      () =>
        planWith(
          args({ backup: 'orders-1' }),
          { backup, source: catalogued('ImageCatalog'), catalog: object('ImageCatalog', 'pg', bob) },
          asAlice,
        ),
      deniedBy('images', /images\.catalogs/),
    );
  });

  test('an explicit image replaces the catalog', () => {
    const plan = planWith(
      args({ backup: 'orders-1', image: 'ghcr.io/cloudnative-pg/postgresql:17.6' }),
      { backup, source: catalogued('ImageCatalog') },
      asAlice,
    );
    assert.equal(spec(plan).imageName, 'ghcr.io/cloudnative-pg/postgresql:17.6');
    assert.equal(spec(plan).imageCatalogRef, undefined);
  });
});

describe('backup_restore declares the Backup, its source Cluster and the new Cluster', () => {
  const resolve = (who: typeof alice, objects: KubeObject[], input: Record<string, unknown>, policy = {}) =>
    resolveReferences(backupRestoreTool.references, args(input), {
      apis: objectsApi(objects),
      namespace: 'team-a',
      identity: who,
      access: accessOf(who, policy),
    });

  // The administrator's ObjectStore the source cluster archives to (its plugin's barmanObjectName).
  const store = object('ObjectStore', 'store', undefined);

  test('the owner resolves Backup (use), source (use), its ObjectStore (use), new Cluster (create)', async () => {
    const { references, observed } = await resolve(alice, [backup, source as unknown as KubeObject, store], {
      backup: 'orders-1',
    });
    assert.deepEqual(
      references.map((r) => `${r.intent} ${r.kind} ${r.name}${r.exists ? '' : ' (absent)'}`),
      [
        'use Backup orders-1',
        'use Cluster orders',
        'use ObjectStore store',
        ...['app', 'superuser', 'ca', 'server', 'replication', 'pooler'].map(
          (s) => `use Secret copy-${s} (absent)`,
        ),
        'create Cluster copy (absent)',
      ],
    );
    assert.equal(observed.source?.metadata.name, 'orders');
  });

  test('someone else’s Backup is refused before anything runs', async () => {
    await assert.rejects(
      resolve(bob, [backup, source as unknown as KubeObject], { backup: 'orders-1' }),
      deniedBy('ownership', /the backup to restore/),
    );
  });

  test('an unlabelled Backup is admin-only by default', async () => {
    const unlabelled = completedBackup('orders-1', 'orders', undefined as never);
    delete unlabelled.metadata.labels;
    await assert.rejects(resolve(bob, [unlabelled], { backup: 'orders-1' }), deniedBy('unlabelled'));
  });

  test('where unlabelled objects are everyone’s, the source cluster’s owner still decides', async () => {
    const unlabelled = completedBackup('orders-1', 'orders');
    delete unlabelled.metadata.labels;
    await assert.rejects(
      resolve(
        bob,
        [unlabelled, source as unknown as KubeObject],
        { backup: 'orders-1' },
        { ownership: { enforced: true, unlabelled: 'everyone' } },
      ),
      deniedBy('ownership', /the cluster the backup was taken from/),
    );
  });

  test('a source that is gone is recorded absent; the catalog is read only when its image is reused', async () => {
    const { references } = await resolve(alice, [backup], { backup: 'orders-1', storage_size: '1Gi' });
    assert.deepEqual(
      references.filter((r) => r.kind !== 'Secret').map((r) => `${r.kind} ${r.name} ${r.exists}`),
      ['Backup orders-1 true', 'Cluster orders false', 'Cluster copy false'],
    );
    const catalogued = backedUpCluster('orders', alice, {
      imageName: undefined,
      imageCatalogRef: { kind: 'ImageCatalog', name: 'pg', major: 17 },
    });
    const withCatalog = await resolve(
      alice,
      [backup, catalogued, object('ImageCatalog', 'pg', undefined), store],
      { backup: 'orders-1' },
    );
    assert.deepEqual(
      withCatalog.references.filter((r) => r.kind !== 'Secret').map((r) => `${r.kind} ${r.name}`),
      ['Backup orders-1', 'Cluster orders', 'ImageCatalog pg', 'ObjectStore store', 'Cluster copy'],
    );
    const mine = await resolve(alice, [backup, catalogued, store], {
      backup: 'orders-1',
      image: 'ghcr.io/cloudnative-pg/postgresql:17.6',
    });
    assert.ok(
      !mine.references.some((r) => r.kind === 'ImageCatalog'),
      "!mine.references.some((r) => r.kind === 'ImageCatalog')",
    );
  });
});
