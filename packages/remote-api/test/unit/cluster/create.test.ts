import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterCreate } from '@cnpg-mcp/catalog';
import { type Identity, OWNER_LABEL } from '../../../src/identity.js';
import { planClusterCreate } from '../../../src/tools/cluster/create.js';
import type { Listed, NameClaims } from '../../../src/tools/cluster/name-claims.js';
import type { KubeObject } from '../../../src/tools/framework/kinds.js';
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

const args = (input: Record<string, unknown>) =>
  clusterCreate.inputSchema.parse({ name: 'future', storage_size: '1Gi', ...input });
const asAlice = { access: accessOf(alice), identity: alice };
const asAdmin = { access: accessOf(admin), identity: admin };
const none: NameClaims = { existing: undefined, neighbours: [], secrets: [] };
const plan = (input: Record<string, unknown>, caller = asAlice, claims = none, references = {}) =>
  planClusterCreate(args(input), { references, claims }, caller);

const naming = (
  kind: Listed['kind'],
  name: string,
  owner: Identity | undefined,
  cluster = 'future',
): Listed => ({
  kind,
  object: object(kind, name, owner, { spec: { cluster: { name: cluster } } }),
});

describe('planClusterCreate: the Cluster written', () => {
  test('the owner label is inherited by what the operator makes; bootstrap and image as asked', () => {
    const body: Loose = plan({
      database: 'shop',
      postgres_major: 17,
      parameters: { work_mem: '4MB' },
    }).cluster;
    assert.equal(body.metadata.name, 'future');
    assert.deepEqual(body.spec.inheritedMetadata, { labels: { [OWNER_LABEL]: alice.userId } });
    assert.deepEqual(body.spec.bootstrap, { initdb: { database: 'shop', owner: 'shop' } });
    assert.equal(
      body.spec.imageName,
      'ghcr.io/cloudnative-pg/postgresql:17-standard-trixie',
      'CloudNativePG’s current flavour (system is deprecated)',
    );
    assert.deepEqual(body.spec.postgresql, { parameters: { work_mem: '4MB' } });
  });

  test('enable_pod_monitor: a PodMonitor of the instances’ metrics port, not the deprecated spec.monitoring.enablePodMonitor', () => {
    const planned = planClusterCreate(
      args({ enable_pod_monitor: true }),
      { references: {}, claims: none, podMonitors: true },
      asAlice,
    );
    assert.equal((planned.cluster as Loose).spec.monitoring, undefined);
    assert.deepEqual(planned.podMonitor, {
      metadata: { name: 'future', labels: { 'cnpg.io/cluster': 'future' } },
      spec: {
        selector: { matchLabels: { 'cnpg.io/cluster': 'future', 'cnpg.io/podRole': 'instance' } },
        podMetricsEndpoints: [{ port: 'metrics' }],
      },
    });
    assert.equal(plan({}).podMonitor, undefined);
    assert.throws(
      () => plan({ enable_pod_monitor: true }),
      refusedWith('precondition', /enable_pod_monitor: this Kubernetes cluster has no PodMonitor kind/),
    );
  });
});

describe('planClusterCreate: images (policy images.*)', () => {
  const cases: [string, Record<string, unknown>, typeof asAlice, Record<string, KubeObject>, boolean][] = [
    ['official image', { image: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie' }, asAlice, {}, true],
    ['another registry', { image: 'docker.io/evil/postgresql:17.5' }, asAlice, {}, false],
    ['a look-alike repository', { image: 'ghcr.io/cloudnative-pg/postgresql-evil:17.5' }, asAlice, {}, false],
    ['an admin, any registry', { image: 'docker.io/evil/postgresql:17.5' }, asAdmin, {}, true],
    [
      'a ClusterImageCatalog (cluster admins make them)',
      { image_catalog: { kind: 'ClusterImageCatalog', name: 'postgresql', major: 17 } },
      asAlice,
      { clusterImageCatalog: object('ClusterImageCatalog', 'postgresql', undefined) },
      true,
    ],
    [
      'an ImageCatalog made outside cnpg-mcp',
      { image_catalog: { kind: 'ImageCatalog', name: 'approved', major: 17 } },
      asAlice,
      { imageCatalog: object('ImageCatalog', 'approved', undefined) },
      true,
    ],
    [
      'an ImageCatalog made through cnpg-mcp (not an admin’s)',
      { image_catalog: { kind: 'ImageCatalog', name: 'mine', major: 17 } },
      asAlice,
      { imageCatalog: object('ImageCatalog', 'mine', bob) },
      false,
    ],
  ];
  for (const [what, input, caller, references, allowed] of cases) {
    test(`${what}: ${allowed ? 'allowed' : 'refused'}`, () => {
      const run = () => plan(input, caller, none, references);
      if (allowed) assert.doesNotThrow(run);
      else assert.throws(run, deniedBy('images', /images\.(registries|catalogs)/));
    });
  }
  test('more than one way to pick the image is invalid input', () => {
    assert.throws(
      () => plan({ image: 'ghcr.io/cloudnative-pg/postgresql:17.5', postgres_major: 17 }),
      refusedWith('invalid_input', /image, postgres_major: give only one/),
    );
  });
});

describe('planClusterCreate: parameters', () => {
  test('code-loading parameters are admin-only (policy key parameters.allow)', () => {
    for (const name of ['archive_library', 'session_preload_libraries', 'dynamic_library_path']) {
      assert.throws(() => plan({ parameters: { [name]: 'x' } }), deniedBy('parameters', /parameters\.allow/));
      assert.doesNotThrow(() => plan({ parameters: { [name]: 'x' } }, asAdmin));
    }
  });
  test('operator-managed parameters are invalid input, for admins too', () => {
    assert.throws(
      () => plan({ parameters: { shared_preload_libraries: 'x' } }, asAdmin),
      refusedWith('invalid_input', /shared_preload_libraries is managed by the CloudNativePG operator/),
    );
  });
  test('ordinary parameters pass', () => {
    assert.doesNotThrow(() => plan({ parameters: { work_mem: '8MB', max_connections: '200' } }));
  });
  test('what CloudNativePG’s webhook refuses is refused before anything is written', () => {
    assert.throws(
      () => plan({ instances: 3, parameters: { wal_level: 'minimal', max_wal_senders: '0' } }),
      refusedWith('invalid_input', /wal_level minimal needs a single instance/),
    );
    assert.throws(
      () => plan({ wal_storage_size: '1Gi', parameters: { max_wal_size: '1GB' } }),
      refusedWith('invalid_input', /max_wal_size must be smaller than the WAL volume \(1Gi\)/),
    );
    assert.throws(
      () => plan({ parameters: { shared_buffers: '1 gigabyte' } }),
      refusedWith('invalid_input', /shared_buffers "1 gigabyte" is not a size/),
    );
    assert.doesNotThrow(() => plan({ wal_storage_size: '4Gi', parameters: { max_wal_size: '2GB' } }));
  });
});

describe('planClusterCreate: per-cluster quotas', () => {
  const quotas = { quotas: { instancesPerCluster: 3, storagePerCluster: '10Gi' } };
  const caller = { access: accessOf(alice, quotas), identity: alice };
  test('instances and storage within the quota pass; beyond it are refused', () => {
    assert.doesNotThrow(() => plan({ instances: 3, storage_size: '3Gi' }, caller));
    assert.throws(() => plan({ instances: 4 }, caller), deniedBy('quota.instancesPerCluster'));
    assert.throws(
      () => plan({ instances: 3, storage_size: '3Gi', wal_storage_size: '1Gi' }, caller),
      deniedBy('quota.storagePerCluster'),
    );
  });
});

describe('planClusterCreate: what already names the cluster', () => {
  test('a Pooler holding one of its names (the Services it would take over) refuses, whoever owns it', () => {
    for (const name of ['future', 'future-rw', 'future-ro', 'future-r']) {
      for (const owner of [bob, alice]) {
        const claims = { ...none, neighbours: [naming('Pooler', name, owner, 'elsewhere')] };
        assert.throws(() => plan({}, asAlice, claims), deniedBy('names', new RegExp(`Pooler ${name} `)));
      }
    }
    const unrelated = { ...none, neighbours: [naming('Pooler', 'future-pool', bob, 'elsewhere')] };
    assert.doesNotThrow(() => plan({}, asAlice, unrelated));
  });

  test('objects of others that name it refuse, naming each; the caller’s own do not', () => {
    const claims: NameClaims = {
      existing: undefined,
      neighbours: [
        naming('Database', 'future-shop', bob),
        naming('DatabaseRole', 'future-boss', bob),
        naming('Publication', 'future-pub', undefined),
        naming('ScheduledBackup', 'future-nightly', alice),
        naming('Subscription', 'other-sub', bob, 'other'),
      ],
      secrets: [{ kind: 'Secret', object: object('Secret', 'future-app', bob) }],
    };
    assert.throws(
      () => plan({}, asAlice, claims),
      deniedBy(
        'dependents',
        new RegExp(
          [
            `Database future-shop \\(created by ${bob.userId}\\)`,
            `DatabaseRole future-boss \\(created by ${bob.userId}\\)`,
            'Publication future-pub \\(made outside cnpg-mcp\\)',
            `Secret future-app \\(created by ${bob.userId}\\)`,
          ].join(', '),
        ),
      ),
    );
    const mine: NameClaims = { ...none, neighbours: [naming('Database', 'future-shop', alice)] };
    assert.doesNotThrow(() => plan({}, asAlice, mine));
  });

  test('admins are refused too: a new cluster inherits nothing of anyone else’s', () => {
    const claims = { ...none, neighbours: [naming('DatabaseRole', 'future-boss', bob)] };
    assert.throws(() => plan({}, asAdmin, claims), deniedBy('dependents'));
  });

  test('objects owned by the cluster of that name that still exists are left to AlreadyExists', () => {
    const existing = object('Cluster', 'future', bob);
    const dependent = naming('Database', 'future-shop', bob);
    dependent.object.metadata.ownerReferences = [
      { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: 'future', uid: 'uid-future' },
    ];
    assert.doesNotThrow(() => plan({}, asAlice, { existing, neighbours: [dependent], secrets: [] }));
    // The same object after its cluster is gone (garbage collection pending) still refuses.
    assert.throws(
      () => plan({}, asAlice, { existing: undefined, neighbours: [dependent], secrets: [] }),
      deniedBy('dependents'),
    );
  });
});
