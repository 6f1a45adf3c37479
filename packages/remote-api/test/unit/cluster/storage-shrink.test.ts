import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import type { ClusterVolume } from '../../../src/tools/cluster/shrink-model.js';
import { planShrinkCall } from '../../../src/tools/cluster/storage-shrink.js';
import {
  BYPASS_MS,
  DISABLED_UNTIL_ANNOTATION,
  VALIDATION_ANNOTATION,
} from '../../../src/tools/cluster/validation-bypass.js';
import { accessOf, alice, deniedBy, type Loose, object, refusedWith } from '../backups/fixtures.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const HEALTHY = 'Cluster in healthy state';

function cluster(annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}, status = {}) {
  const c = object('Cluster', 'pg', alice, {
    spec: { instances: 2, storage: { size: '4Gi' }, ...spec },
    status: {
      phase: HEALTHY,
      readyInstances: 2,
      currentPrimary: 'pg-1',
      instancesStatus: { healthy: ['pg-1', 'pg-2', 'pg-3'] },
      ...status,
    },
  }) as ClusterObject;
  c.metadata.annotations = annotations;
  c.metadata.resourceVersion = '42';
  return c;
}

const data = (instance: string, size: string): ClusterVolume => ({
  name: instance,
  instance,
  role: 'PG_DATA',
  size,
});
const shrinking = { 'cnpg-mcp.io/storage-shrink-target': '2Gi', 'cnpg-mcp.io/storage-shrink-instances': '2' };
const access = accessOf(alice);
const plan = (c: ClusterObject, volumes: ClusterVolume[], a = access, size = '2Gi') =>
  planShrinkCall({ storage_size: size }, c, volumes, a, NOW);

describe('planShrinkCall: start', () => {
  test('adds one instance at the smaller size and switches validation off until a recorded time', () => {
    const { write } = plan(cluster(), [data('pg-1', '4Gi'), data('pg-2', '4Gi')]);
    assert.equal(write.step, 'start');
    const patch = (write as Loose).patch;
    assert.deepEqual(patch.spec, { storage: { size: '2Gi' }, instances: 3 });
    assert.equal(patch.metadata.annotations[VALIDATION_ANNOTATION], 'disabled');
    assert.equal(
      patch.metadata.annotations[DISABLED_UNTIL_ANNOTATION],
      new Date(NOW + BYPASS_MS).toISOString(),
    );
    assert.equal((write as Loose).disabledUntil, new Date(NOW + BYPASS_MS).toISOString());
  });

  test('the extra instance counts against instancesPerCluster (and the storage quota)', () => {
    const capped = accessOf(alice, { quotas: { instancesPerCluster: 2 } });
    assert.throws(
      () => plan(cluster(), [], capped),
      deniedBy(
        'quota.instancesPerCluster',
        /guided shrink adds one instance.*3 instances exceed your quota of 2/,
      ),
    );
    const storage = accessOf(alice, { quotas: { storagePerCluster: '5Gi' } });
    assert.throws(() => plan(cluster(), [], storage), deniedBy('quota.storagePerCluster', /3 × \(2Gi\)/));
    assert.doesNotThrow(() => plan(cluster(), [], accessOf(alice, { quotas: { instancesPerCluster: 3 } })));
  });

  test('a size that is not smaller is invalid input', () => {
    assert.throws(() => plan(cluster(), [], access, '4Gi'), refusedWith('invalid_input', /not smaller/));
  });
});

describe('planShrinkCall: later steps', () => {
  test('another target while one is in progress is refused', () => {
    assert.throws(
      () => plan(cluster(shrinking, { instances: 3 }), [], access, '1Gi'),
      refusedWith('precondition', /a shrink to 2Gi is in progress/),
    );
  });

  test('switchover to a healthy instance at the target size, conditional on the version read', () => {
    const volumes = [data('pg-1', '4Gi'), data('pg-2', '4Gi'), data('pg-3', '2Gi')];
    const { write } = plan(cluster(shrinking, { instances: 3 }, { readyInstances: 3 }), volumes);
    assert.equal(write.step, 'switchover');
    assert.equal((write as Loose).statusPatch.status.targetPrimary, 'pg-3');
    assert.equal((write as Loose).statusPatch.metadata.resourceVersion, '42');
  });

  test('destroy the last oversized replica with its data and WAL volumes; refuse other volumes', () => {
    const c = cluster(shrinking, { instances: 3 }, { readyInstances: 3, currentPrimary: 'pg-3' });
    const volumes = [
      data('pg-1', '4Gi'),
      data('pg-2', '4Gi'),
      { name: 'pg-2-wal', instance: 'pg-2', role: 'PG_WAL', size: '1Gi' },
      data('pg-3', '2Gi'),
    ];
    const { write } = plan(c, volumes);
    assert.deepEqual(write, {
      step: 'destroy',
      instance: 'pg-2',
      volumes: ['pg-2', 'pg-2-wal'],
      performed: 'destroyed pg-2 and its volumes; the operator recreates it at 2Gi',
    });
    volumes.push({ name: 'pg-2-tbs-x', instance: 'pg-2', role: 'PG_TABLESPACE', size: '1Gi' });
    assert.throws(() => plan(c, volumes), refusedWith('precondition', /pg-2-tbs-x/));
  });

  test('finish scales back and clears every annotation of the shrink and of the bypass', () => {
    const c = cluster(shrinking, { instances: 3 }, { readyInstances: 3, currentPrimary: 'pg-3' });
    const { write } = plan(c, [data('pg-1', '2Gi'), data('pg-2', '2Gi'), data('pg-3', '2Gi')]);
    assert.equal(write.step, 'finish');
    assert.deepEqual((write as Loose).patch, {
      metadata: {
        annotations: {
          'cnpg-mcp.io/storage-shrink-target': null,
          'cnpg-mcp.io/storage-shrink-instances': null,
          [VALIDATION_ANNOTATION]: null,
          [DISABLED_UNTIL_ANNOTATION]: null,
        },
      },
      spec: { instances: 2 },
    });
  });
});

describe('planShrinkCall: a bypass left behind', () => {
  const left = (until: string) => ({
    ...shrinking,
    [VALIDATION_ANNOTATION]: 'disabled',
    [DISABLED_UNTIL_ANNOTATION]: until,
  });
  test('past its time (or unreadable) it is restored first; before its time it is left to the call that set it', () => {
    const waiting = { phase: 'Creating replica', readyInstances: 2 };
    const past = new Date(NOW - 1).toISOString();
    const future = new Date(NOW + 60_000).toISOString();
    assert.equal(plan(cluster(left(past), { instances: 3 }, waiting), []).restoreFirst, true);
    assert.equal(plan(cluster(left('garbage'), { instances: 3 }, waiting), []).restoreFirst, true);
    assert.equal(plan(cluster(left(future), { instances: 3 }, waiting), []).restoreFirst, false);
  });
  test('a bypass set outside cnpg-mcp (no recorded time) is not ours to lift', () => {
    const c = cluster({ [VALIDATION_ANNOTATION]: 'disabled' });
    assert.equal(plan(c, [data('pg-1', '4Gi')]).restoreFirst, false);
  });
});
