import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterRestart } from '@cnpg-mcp/catalog';
import { clusterRestartTool, planRestart } from '../../../src/tools/cluster/restart.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { refusedWith } from '../backups/fixtures.js';
import { instanceObject, NOW, pod, runningCluster } from './operations-fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  clusterRestart.inputSchema.parse({ name: 'pg', ...input });
const cluster = runningCluster();

describe('planRestart', () => {
  test('the whole cluster: a rolling restart through the restartedAt annotation', () => {
    assert.deepEqual(planRestart(args(), cluster, undefined, NOW), {
      write: 'cluster',
      patch: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': NOW.toISOString() } } },
      message: 'rolling restart of team-a/pg requested (replicas first, then the primary)',
    });
  });

  test('the primary restarts in place (status phase); a replica by deleting its Pod', () => {
    const primary = planRestart(args({ instance: 'pg-1' }), cluster, pod('pg-1'), NOW);
    assert.equal(primary.write, 'status');
    assert.deepEqual(primary.write === 'status' && primary.patch, {
      status: { phase: 'Primary instance is being restarted in-place', phaseReason: 'Requested by the user' },
    });
    assert.deepEqual(planRestart(args({ instance: 'pg-2' }), cluster, pod('pg-2'), NOW), {
      write: 'pod',
      pod: 'pg-2',
      message: 'replica pg-2 deleted; the operator recreates it on its volume',
    });
  });

  test('refuses what is not an instance of this cluster', () => {
    assert.throws(
      () => planRestart(args({ instance: 'other-1' }), cluster, undefined, NOW),
      refusedWith('invalid_input', /"other-1" is not an instance of cluster pg \(expected pg-N\)/),
    );
    assert.throws(
      () => planRestart(args({ instance: 'pg-9' }), cluster, undefined, NOW),
      refusedWith('not_found', /instance "pg-9" not found in cluster team-a\/pg/),
    );
    const foreign = instanceObject('Pod', 'pg-2', 'pg-2', 'pgx');
    assert.throws(
      () => planRestart(args({ instance: 'pg-2' }), cluster, foreign, NOW),
      refusedWith('precondition', /not labelled as an instance of cluster pg \(cnpg.io\/cluster=pgx\)/),
    );
    assert.throws(
      () => planRestart(args({ instance: 'pg-3' }), cluster, undefined, NOW),
      refusedWith('precondition', /replica pg-3 has no pod right now/),
    );
  });

  test('changes the Cluster and the instance Pod, which is read only when named like an instance', async () => {
    const refs = clusterRestartTool.references;
    assert.deepEqual(
      Object.values(refs).map((r) => `${r.intent} ${r.kind}`),
      ['change Cluster', 'change Pod'],
    );
    const name = (input: Record<string, unknown>) =>
      refs.pod!.name(args(input), { cluster }, {} as KubeReads);
    assert.equal(await name({ instance: 'pg-2' }), 'pg-2');
    assert.equal(await name({ instance: 'other-2' }), undefined);
    assert.equal(await name({}), undefined);
  });
});
