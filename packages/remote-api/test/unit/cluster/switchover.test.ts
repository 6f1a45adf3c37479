import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterSwitchover } from '@cnpg-mcp/catalog';
import {
  clusterSwitchoverTool,
  planSwitchover,
  switchoverTarget,
} from '../../../src/tools/cluster/switchover.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { type Loose, refusedWith } from '../backups/fixtures.js';
import { NOW, pod, runningCluster } from './operations-fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  clusterSwitchover.inputSchema.parse({ name: 'pg', ...input });

describe('cluster_switchover', () => {
  test('promotes the first healthy replica: targetPrimary in the status, conditional on the version read', () => {
    const cluster = runningCluster({ instancesStatus: { healthy: ['pg-1', 'pg-3'] } });
    assert.equal(switchoverTarget(args(), cluster), 'pg-3');
    const plan = planSwitchover(args(), cluster, pod('pg-3'), NOW);
    assert.equal(plan.previousPrimary, 'pg-1');
    assert.equal(plan.chosen, 'pg-3');
    const patch = plan.statusPatch as Loose;
    assert.equal(patch.metadata.resourceVersion, '42');
    assert.equal(patch.status.targetPrimary, 'pg-3');
    assert.equal(patch.status.targetPrimaryTimestamp, '2026-12-01T10:00:00.000000Z');
    assert.equal(patch.status.phase, 'Switchover in progress');
    assert.deepEqual(patch.status.conditions[0], {
      type: 'Ready',
      status: 'False',
      reason: 'ClusterIsNotReady',
      message: 'Cluster Is Not Ready',
      lastTransitionTime: NOW.toISOString(),
    });
  });

  test('refuses an unhealthy cluster, one already switching, the primary, a replica not ready — unless forced', () => {
    const cases: [Record<string, unknown>, Record<string, unknown>, boolean, RegExp][] = [
      [{ phase: 'Setting up primary' }, {}, true, /cluster is not healthy \("Setting up primary"\)/],
      [{ targetPrimary: 'pg-2' }, {}, true, /a switchover to pg-2 is already in progress/],
      [{}, { target_instance: 'pg-1' }, true, /pg-1 is already the primary/],
      [{ instancesStatus: { healthy: ['pg-1'] } }, {}, true, /no healthy replica to promote/],
      [{}, { target_instance: 'pg-2' }, false, /pg-2 is not a ready replica; pick another or set force/],
    ];
    for (const [status, input, ready, message] of cases) {
      const target = switchoverTarget(args(input), runningCluster(status));
      assert.throws(
        () =>
          planSwitchover(args(input), runningCluster(status), target ? pod(target, ready) : undefined, NOW),
        refusedWith('precondition', message),
      );
    }
    const forced = planSwitchover(
      args({ target_instance: 'pg-2', force: true }),
      runningCluster({ phase: 'Setting up primary' }),
      pod('pg-2', false),
      NOW,
    );
    assert.equal(forced.chosen, 'pg-2');
  });

  test('refuses a target that is not an instance of the cluster', () => {
    assert.throws(
      () => planSwitchover(args({ target_instance: 'other-2' }), runningCluster(), undefined, NOW),
      refusedWith('invalid_input', /not an instance of cluster pg/),
    );
  });

  test('changes the Cluster and uses the target Pod, named from the input or the cluster', async () => {
    const refs = clusterSwitchoverTool.references;
    assert.deepEqual(
      Object.values(refs).map((r) => `${r.intent} ${r.kind}`),
      ['change Cluster', 'use Pod'],
    );
    const cluster = runningCluster();
    assert.equal(await refs.target!.name(args(), { cluster }, {} as KubeReads), 'pg-2');
    assert.equal(
      await refs.target!.name(args({ target_instance: 'pg-3' }), { cluster }, {} as KubeReads),
      'pg-3',
    );
  });
});
