import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterFence } from '@cnpg-mcp/catalog';
import { clusterFenceTool } from '../../../src/tools/cluster/fence.js';
import { planFencing } from '../../../src/tools/cluster/fencing.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { refusedWith } from '../backups/fixtures.js';
import { pod, runningCluster } from './operations-fixtures.js';

const args = (instance: string) => clusterFence.inputSchema.parse({ name: 'pg', instance });
const fenced = (list: string[]) => runningCluster({}, { 'cnpg.io/fencedInstances': JSON.stringify(list) });

describe('cluster_fence', () => {
  test('adds the instance to the fenced list (sorted, once); "*" fences all', () => {
    const cases: [string[], string, string[]][] = [
      [[], 'pg-2', ['pg-2']],
      [['pg-3'], 'pg-2', ['pg-2', 'pg-3']],
      [['pg-2'], 'pg-2', ['pg-2']],
      [['*'], 'pg-2', ['*']],
      [['pg-2'], '*', ['*']],
    ];
    for (const [before, instance, after] of cases) {
      const plan = planFencing(
        true,
        args(instance),
        fenced(before),
        instance === '*' ? undefined : pod(instance),
      );
      assert.deepEqual(plan.next, after, `${before} + ${instance}`);
      assert.deepEqual(plan.patch, {
        metadata: { annotations: { 'cnpg.io/fencedInstances': JSON.stringify(after) } },
      });
    }
    assert.equal(
      planFencing(true, args('pg-2'), fenced([]), pod('pg-2')).message,
      'pg-2 of team-a/pg fenced; fenced now: pg-2',
    );
  });

  test('an unreadable annotation counts as nothing fenced', () => {
    const broken = runningCluster({}, { 'cnpg.io/fencedInstances': '{not json' });
    assert.deepEqual(planFencing(true, args('pg-2'), broken, pod('pg-2')).next, ['pg-2']);
  });

  test('refuses an instance of another cluster', () => {
    assert.throws(
      () => planFencing(true, args('other-2'), fenced([]), undefined),
      refusedWith('invalid_input', /not an instance of cluster pg/),
    );
  });

  test('changes the Cluster and uses the instance Pod (none for "*")', async () => {
    const refs = clusterFenceTool.references;
    assert.deepEqual(
      Object.values(refs).map((r) => `${r.intent} ${r.kind}`),
      ['change Cluster', 'use Pod'],
    );
    const cluster = runningCluster();
    assert.equal(await refs.pod!.name(args('pg-2'), { cluster }, {} as KubeReads), 'pg-2');
    assert.equal(await refs.pod!.name(args('*'), { cluster }, {} as KubeReads), undefined);
  });
});
