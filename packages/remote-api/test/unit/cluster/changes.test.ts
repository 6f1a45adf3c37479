/** The plans of cluster_scale, cluster_storage_grow, cluster_set_parameters and cluster_image_upgrade. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clusterImageUpgrade,
  clusterScale,
  clusterSetParameters,
  clusterStorageGrow,
} from '@cnpg-mcp/catalog';
import { planImageUpgrade } from '../../../src/tools/cluster/image-upgrade.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import { planClusterScale } from '../../../src/tools/cluster/scale.js';
import { planSetParameters } from '../../../src/tools/cluster/set-parameters.js';
import { planStorageGrow } from '../../../src/tools/cluster/storage-grow.js';
import {
  accessOf,
  admin,
  alice,
  bob,
  deniedBy,
  type Loose,
  object,
  refusedWith,
} from '../backups/fixtures.js';

const pg = object('Cluster', 'pg', alice, {
  spec: {
    instances: 2,
    imageName: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie',
    storage: { size: '2Gi' },
  },
  status: { image: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie' },
}) as ClusterObject;
const access = accessOf(alice);

describe('planClusterScale', () => {
  test('patches the instance count within the quotas', () => {
    const args = clusterScale.inputSchema.parse({ name: 'pg', instances: 3 });
    assert.deepEqual(planClusterScale(args, pg, access), { previous: 2, patch: { spec: { instances: 3 } } });
    const capped = accessOf(alice, { quotas: { instancesPerCluster: 2, storagePerCluster: '5Gi' } });
    assert.throws(() => planClusterScale(args, pg, capped), deniedBy('quota.instancesPerCluster'));
  });
  test('refuses more instances than the cluster’s parameters allow (CloudNativePG’s webhook would)', () => {
    const single = object('Cluster', 'pg', alice, {
      spec: {
        instances: 1,
        storage: { size: '2Gi' },
        postgresql: { parameters: { wal_level: 'minimal', max_wal_senders: '0', wal_log_hints: 'off' } },
      },
    }) as ClusterObject;
    // WAL archiving switched off, as wal_level=minimal needs.
    single.metadata.annotations = { 'cnpg.io/skipWalArchiving': 'enabled' };
    const scale = (instances: number) =>
      planClusterScale(clusterScale.inputSchema.parse({ name: 'pg', instances }), single, access);
    assert.throws(
      () => scale(2),
      refusedWith('invalid_input', /wal_level minimal needs a single instance.*wal_log_hints must be on/),
    );
    assert.doesNotThrow(() => scale(1));
  });
});

describe('planStorageGrow', () => {
  test('grows; refuses to shrink and to exceed the storage quota', () => {
    const grow = (input: Record<string, unknown>, a = access) =>
      planStorageGrow(clusterStorageGrow.inputSchema.parse({ name: 'pg', ...input }), pg, a);
    assert.deepEqual(grow({ storage_size: '3Gi' }).patch, { spec: { storage: { size: '3Gi' } } });
    assert.throws(
      () => grow({ storage_size: '1Gi' }),
      refusedWith('invalid_input', /smaller than the current 2Gi/),
    );
    assert.throws(
      () => grow({ storage_size: '3Gi' }, accessOf(alice, { quotas: { storagePerCluster: '5Gi' } })),
      deniedBy('quota.storagePerCluster'),
    );
  });
});

describe('planSetParameters', () => {
  const set = (parameters: Record<string, string | null>, a = access, cluster = pg) =>
    planSetParameters(clusterSetParameters.inputSchema.parse({ name: 'pg', parameters }), cluster, a);
  test('ordinary parameters and removals are patched', () => {
    assert.deepEqual(set({ work_mem: '8MB', max_connections: null }).patch, {
      spec: { postgresql: { parameters: { work_mem: '8MB', max_connections: null } } },
    });
  });
  test('code-loading ones are admin-only; removing one is allowed', () => {
    assert.throws(() => set({ archive_library: 'evil' }), deniedBy('parameters', /parameters\.allow/));
    assert.doesNotThrow(() => set({ archive_library: 'evil' }, accessOf(admin)));
    assert.doesNotThrow(() => set({ dynamic_library_path: null }));
    assert.throws(() => set({ port: '5433' }), refusedWith('invalid_input', /port is managed/));
  });
  test('CloudNativePG’s own list decides what it manages: full_page_writes and wal_log_hints are settable, temp_tablespaces is not', () => {
    assert.doesNotThrow(() => set({ full_page_writes: 'on', wal_log_hints: 'on' }));
    for (const name of ['temp_tablespaces', 'synchronized_standby_slots', 'pg_failover_slots.primary_dsn']) {
      assert.throws(
        () => set({ [name]: 'x' }, accessOf(admin)),
        refusedWith(
          'invalid_input',
          new RegExp(`${name.replace('.', '\\.')} is managed by the CloudNativePG operator`),
        ),
      );
    }
  });
  test('the parameters the cluster would have are judged as CloudNativePG’s webhook judges them', () => {
    // pg has two instances: wal_level=minimal would stop its replica.
    assert.throws(
      () => set({ wal_level: 'minimal', max_wal_senders: '0' }),
      refusedWith('invalid_input', /^parameters: wal_level minimal needs a single instance/),
    );
    assert.throws(
      () => set({ shared_buffers: 'half' }),
      refusedWith('invalid_input', /shared_buffers "half"/),
    );
    assert.throws(
      () => set({ min_wal_size: '2GB' }),
      refusedWith('invalid_input', /min_wal_size must be smaller than max_wal_size/),
    );
    const withWal = { ...pg, spec: { ...pg.spec, walStorage: { size: '1Gi' } } } as ClusterObject;
    assert.throws(
      () => set({ max_wal_size: '2GB' }, access, withWal),
      refusedWith('invalid_input', /max_wal_size must be smaller than the WAL volume \(1Gi\)/),
    );
    const tuned = {
      ...pg,
      spec: { ...pg.spec, postgresql: { parameters: { max_wal_size: '4GB' } } },
    } as ClusterObject;
    assert.throws(
      () => set({ min_wal_size: '4GB' }, access, tuned),
      refusedWith('invalid_input', /min_wal_size must be smaller than max_wal_size/),
      'the cluster’s current max_wal_size counts',
    );
    assert.doesNotThrow(() => set({ max_wal_size: null, min_wal_size: '512MB' }, access, tuned));
  });
});

describe('planImageUpgrade', () => {
  const upgrade = (input: Record<string, unknown>, seen = {}, a = access) =>
    planImageUpgrade(clusterImageUpgrade.inputSchema.parse({ name: 'pg', ...input }), seen, pg, a);
  test('a minor update is a rolling update; a major is offline; a downgrade is refused', () => {
    const minor = upgrade({ image: 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie' });
    assert.equal(minor.majorUpgrade, false);
    assert.deepEqual(minor.patch.spec, {
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie',
      imageCatalogRef: null,
    });
    const major = upgrade({ postgres_major: 18 });
    assert.equal(major.majorUpgrade, true);
    assert.equal(
      (major.patch.spec as { imageName?: string }).imageName,
      'ghcr.io/cloudnative-pg/postgresql:18-system-trixie',
      'a new major keeps the flavour the cluster runs (its in-core Barman Cloud backups need the system image)',
    );
    assert.throws(() => upgrade({ postgres_major: 16 }), refusedWith('invalid_input', /cannot downgrade/));
    assert.throws(() => upgrade({}), refusedWith('invalid_input', /give exactly one/));
  });
  test('images from elsewhere and catalogs made through cnpg-mcp are refused', () => {
    assert.throws(() => upgrade({ image: 'docker.io/evil/postgresql:17.9' }), deniedBy('images'));
    const catalog = { kind: 'ImageCatalog', name: 'bobs', major: 17 };
    assert.throws(
      () => upgrade({ image_catalog: catalog }, { imageCatalog: object('ImageCatalog', 'bobs', bob) }),
      deniedBy('images', /images\.catalogs/),
    );
    const adminCatalog = upgrade(
      { image_catalog: catalog },
      { imageCatalog: object('ImageCatalog', 'bobs', undefined) },
    );
    assert.deepEqual((adminCatalog.patch.spec as Loose).imageName, null);
  });
});
