import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterInstanceDestroy } from '@cnpg-mcp/catalog';
import {
  clusterInstanceDestroyTool,
  planInstanceDestroy,
} from '../../../src/tools/cluster/instance-destroy.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { refusedWith } from '../backups/fixtures.js';
import { instanceObject, pod, runningCluster } from './operations-fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  clusterInstanceDestroy.inputSchema.parse({ name: 'pg', instance: 'pg-2', confirm: 'pg-2', ...input });
const cluster = runningCluster();
const data = instanceObject('PersistentVolumeClaim', 'pg-2', 'pg-2');
const wal = instanceObject('PersistentVolumeClaim', 'pg-2-wal', 'pg-2');

describe('cluster_instance_destroy', () => {
  test('deletes the data and WAL volumes, then the Pod', () => {
    const plan = planInstanceDestroy(args(), cluster, { pod: pod('pg-2'), volumes: [data, wal] }, [
      'pg-2',
      'pg-2-wal',
    ]);
    assert.deepEqual(plan.volumes, ['pg-2', 'pg-2-wal']);
    assert.equal(plan.pod, 'pg-2');
    assert.deepEqual(plan.deleted, [
      'persistentvolumeclaim/pg-2',
      'persistentvolumeclaim/pg-2-wal',
      'pod/pg-2',
    ]);
    assert.match(
      plan.message,
      /^instance pg-2 of team-a\/pg destroyed \(.*\); the operator creates a new instance$/,
    );
  });

  test('keep_pvc deletes the Pod only; an instance without a Pod loses its volumes only', () => {
    const kept = planInstanceDestroy(
      args({ keep_pvc: true }),
      cluster,
      { pod: pod('pg-2'), volumes: [] },
      [],
    );
    assert.deepEqual(kept.deleted, ['pod/pg-2']);
    const podless = planInstanceDestroy(args(), cluster, { pod: undefined, volumes: [data, undefined] }, [
      'pg-2',
    ]);
    assert.deepEqual(podless.deleted, ['persistentvolumeclaim/pg-2']);
    assert.equal(podless.pod, undefined);
  });

  test('a volume named like the instance but labelled for another is not deleted', () => {
    const stranger = instanceObject('PersistentVolumeClaim', 'pg-2-wal', 'pg-7');
    const plan = planInstanceDestroy(args(), cluster, { pod: pod('pg-2'), volumes: [data, stranger] }, [
      'pg-2',
    ]);
    assert.deepEqual(plan.volumes, ['pg-2']);
  });

  test('refusals: confirmation, the primary, another cluster’s instance, volumes it would leave behind', () => {
    assert.throws(
      () => planInstanceDestroy(args({ confirm: 'pg-3' }), cluster, { pod: pod('pg-2'), volumes: [] }, []),
      refusedWith('confirmation_required', /instance name "pg-2" \(got "pg-3"\)/),
    );
    assert.throws(
      () =>
        planInstanceDestroy(
          args({ instance: 'pg-1', confirm: 'pg-1' }),
          cluster,
          { pod: pod('pg-1'), volumes: [] },
          [],
        ),
      refusedWith('precondition', /pg-1 is the primary; switch over first/),
    );
    assert.throws(
      () =>
        planInstanceDestroy(
          args({ instance: 'pgx-2', confirm: 'pgx-2' }),
          cluster,
          { pod: undefined, volumes: [] },
          [],
        ),
      refusedWith('invalid_input', /not an instance of cluster pg/),
    );
    assert.throws(
      () =>
        planInstanceDestroy(args(), cluster, { pod: pod('pg-2'), volumes: [data, undefined] }, [
          'pg-2',
          'pg-2-tbs-archive',
        ]),
      refusedWith('precondition', /volumes besides its data and WAL volumes \(pg-2-tbs-archive\)/),
    );
  });

  test('changes the Cluster, the Pod and both volumes; none of them outside the cluster, no volume with keep_pvc', async () => {
    const refs = clusterInstanceDestroyTool.references;
    assert.deepEqual(
      Object.entries(refs).map(([key, r]) => `${key}: ${r.intent} ${r.kind}`),
      [
        'cluster: change Cluster',
        'pod: change Pod',
        'dataVolume: change PersistentVolumeClaim',
        'walVolume: change PersistentVolumeClaim',
      ],
    );
    const names = async (input: Record<string, unknown>) =>
      Promise.all(
        ['pod', 'dataVolume', 'walVolume'].map((key) =>
          refs[key]!.name(args(input), { cluster }, {} as KubeReads),
        ),
      );
    assert.deepEqual(await names({}), ['pg-2', 'pg-2', 'pg-2-wal']);
    assert.deepEqual(await names({ keep_pvc: true }), ['pg-2', undefined, undefined]);
    assert.deepEqual(await names({ instance: 'alice-2' }), [undefined, undefined, undefined]);
  });
});
