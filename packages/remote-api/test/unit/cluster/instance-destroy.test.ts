import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterInstanceDestroy } from '@cnpg-mcp/catalog';
import {
  clusterInstanceDestroyTool,
  type InstanceObjects,
  planInstanceDestroy,
} from '../../../src/tools/cluster/instance-destroy.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { refusedWith } from '../backups/fixtures.js';
import { instanceObject, pod, runningCluster } from './operations-fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  clusterInstanceDestroy.inputSchema.parse({ name: 'pg', instance: 'pg-2', confirm: 'pg-2', ...input });
const cluster = runningCluster();
/** A volume as CloudNativePG makes it: owned by its Cluster (and by nothing else here). */
const owned = (name: string, instance = 'pg-2') => {
  const volume = instanceObject('PersistentVolumeClaim', name, instance);
  volume.metadata.resourceVersion = '41';
  volume.metadata.ownerReferences = [
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: 'pg', uid: 'uid-pg', controller: true },
  ];
  return volume;
};
const data = owned('pg-2');
const wal = owned('pg-2-wal');
/** A Job of the instance left behind (its joining replica never finished). */
const joinJob = {
  ...instanceObject('Pod', 'pg-2-join', 'pg-2'),
  apiVersion: 'batch/v1',
  kind: 'Job',
  status: {},
};
const objects = (over: Partial<InstanceObjects> = {}): InstanceObjects => ({
  pod: pod('pg-2'),
  volumes: [data, wal],
  jobs: [],
  ...over,
});

describe('cluster_instance_destroy', () => {
  test('deletes the Pod, the instance’s Jobs, then its data and WAL volumes (kubectl cnpg destroy)', () => {
    const plan = planInstanceDestroy(args(), cluster, objects({ jobs: [joinJob, undefined] }), [
      'pg-2',
      'pg-2-wal',
    ]);
    assert.equal(plan.pod, 'pg-2');
    assert.deepEqual(plan.jobs, ['pg-2-join']);
    assert.deepEqual(plan.deleteVolumes, ['pg-2', 'pg-2-wal']);
    assert.deepEqual(plan.detach, []);
    assert.deepEqual(plan.deleted, [
      'pod/pg-2',
      'job/pg-2-join',
      'persistentvolumeclaim/pg-2',
      'persistentvolumeclaim/pg-2-wal',
    ]);
    assert.match(
      plan.message,
      /^instance pg-2 of team-a\/pg destroyed \(.*\); the operator creates a new instance$/,
    );
  });

  test('keep_pvc detaches the volumes: the Cluster’s owner reference removed, cnpg.io/pvcStatus=detached', () => {
    const shared = owned('pg-2-wal');
    const backupOwner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'uid-keep' };
    shared.metadata.ownerReferences = [...(shared.metadata.ownerReferences ?? []), backupOwner];
    const kept = planInstanceDestroy(
      args({ keep_pvc: true }),
      cluster,
      objects({ volumes: [data, shared] }),
      ['pg-2', 'pg-2-wal'],
    );
    assert.deepEqual(kept.deleted, ['pod/pg-2']);
    assert.deepEqual(kept.deleteVolumes, []);
    assert.deepEqual(kept.detached, ['pg-2', 'pg-2-wal']);
    assert.deepEqual(kept.detach, [
      {
        name: 'pg-2',
        patch: {
          metadata: {
            resourceVersion: '41',
            ownerReferences: null,
            annotations: { 'cnpg.io/pvcStatus': 'detached' },
            labels: { 'cnpg.io/instanceName': 'pg-2' },
          },
        },
      },
      {
        name: 'pg-2-wal',
        patch: {
          metadata: {
            resourceVersion: '41',
            ownerReferences: [backupOwner],
            annotations: { 'cnpg.io/pvcStatus': 'detached' },
            labels: { 'cnpg.io/instanceName': 'pg-2' },
          },
        },
      },
    ]);
    assert.match(kept.message, /volumes pg-2, pg-2-wal kept, detached from the cluster/);
  });

  test('a volume already detached is left alone; an instance without a Pod loses its volumes only', () => {
    const detached = instanceObject('PersistentVolumeClaim', 'pg-2', 'pg-2');
    const kept = planInstanceDestroy(args({ keep_pvc: true }), cluster, objects({ volumes: [detached] }), [
      'pg-2',
    ]);
    assert.deepEqual(kept.detach, []);
    const podless = planInstanceDestroy(args(), cluster, objects({ pod: undefined, volumes: [data] }), [
      'pg-2',
    ]);
    assert.deepEqual(podless.deleted, ['persistentvolumeclaim/pg-2']);
    assert.equal(podless.pod, undefined);
  });

  test('a volume or Job named like the instance but labelled for another is not touched', () => {
    const stranger = owned('pg-2-wal', 'pg-7');
    const strangeJob = {
      ...joinJob,
      metadata: { ...joinJob.metadata, labels: { 'cnpg.io/cluster': 'other' } },
    };
    const plan = planInstanceDestroy(
      args(),
      cluster,
      objects({ volumes: [data, stranger], jobs: [strangeJob] }),
      ['pg-2'],
    );
    assert.deepEqual(plan.deleteVolumes, ['pg-2']);
    assert.deepEqual(plan.jobs, []);
  });

  test('refusals: confirmation, the primary, another cluster’s instance, volumes it would leave behind', () => {
    assert.throws(
      () => planInstanceDestroy(args({ confirm: 'pg-3' }), cluster, objects(), []),
      refusedWith('confirmation_required', /instance name "pg-2" \(got "pg-3"\)/),
    );
    assert.throws(
      () =>
        planInstanceDestroy(
          args({ instance: 'pg-1', confirm: 'pg-1' }),
          cluster,
          objects({ pod: pod('pg-1'), volumes: [] }),
          [],
        ),
      refusedWith('precondition', /pg-1 is the primary; switch over first/),
    );
    assert.throws(
      () =>
        planInstanceDestroy(
          args({ instance: 'pgx-2', confirm: 'pgx-2' }),
          cluster,
          objects({ pod: undefined, volumes: [] }),
          [],
        ),
      refusedWith('invalid_input', /not an instance of cluster pg/),
    );
    for (const keep_pvc of [false, true]) {
      assert.throws(
        () =>
          planInstanceDestroy(args({ keep_pvc }), cluster, objects({ volumes: [data, undefined] }), [
            'pg-2',
            'pg-2-tbs-archive',
          ]),
        refusedWith('precondition', /volumes besides its data and WAL volumes \(pg-2-tbs-archive\)/),
      );
    }
  });

  test('changes the Cluster, the Pod, both volumes and the instance’s Jobs; none of them outside the cluster', async () => {
    const refs = clusterInstanceDestroyTool.references;
    assert.deepEqual(
      Object.entries(refs).map(([key, r]) => `${key}: ${r.intent} ${r.kind}`),
      [
        'cluster: change Cluster',
        'pod: change Pod',
        'dataVolume: change PersistentVolumeClaim',
        'walVolume: change PersistentVolumeClaim',
        ...[
          'initdb',
          'import',
          'pgbasebackup',
          'full-recovery',
          'snapshot-recovery',
          'join',
          'major-upgrade',
        ].map((role) => `job:${role}: change Job`),
      ],
    );
    const names = async (input: Record<string, unknown>) =>
      Promise.all(
        ['pod', 'dataVolume', 'walVolume', 'job:join'].map((key) =>
          refs[key]!.name(args(input), { cluster }, {} as KubeReads),
        ),
      );
    assert.deepEqual(await names({}), ['pg-2', 'pg-2', 'pg-2-wal', 'pg-2-join']);
    assert.deepEqual(await names({ keep_pvc: true }), ['pg-2', 'pg-2', 'pg-2-wal', 'pg-2-join']);
    assert.deepEqual(await names({ instance: 'alice-2' }), [undefined, undefined, undefined, undefined]);
  });
});
