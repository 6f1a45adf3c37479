import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterPods } from '@cnpg-mcp/catalog';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import { clusterPodsTool, describePods } from '../../../src/tools/observability/cluster-pods.js';
import { alice, object } from '../backups/fixtures.js';

const cluster = object('Cluster', 'pg', alice, { status: { currentPrimary: 'pg-1' } }) as ClusterObject;
const NOW = Date.parse('2026-12-01T10:00:00Z');

test('cluster_pods: each instance with its role, readiness, restarts and age; it reads the Cluster', () => {
  const pods: V1Pod[] = [
    {
      metadata: { name: 'pg-1', labels: {} },
      spec: { containers: [], nodeName: 'node-a' },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        startTime: new Date('2026-12-01T09:00:00Z'),
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ restartCount: 2 } as never],
      },
    },
    {
      metadata: { name: 'pg-2', labels: { 'cnpg.io/instanceRole': 'replica' } },
      status: { phase: 'Pending' },
    },
  ];
  const out = describePods(clusterPods.inputSchema.parse({ name: 'pg' }), 'team-a', cluster, pods, NOW);
  assert.deepEqual(out.structured.pods[0], {
    name: 'pg-1',
    role: 'primary',
    ready: true,
    phase: 'Running',
    restarts: 2,
    node: 'node-a',
    ip: '10.0.0.1',
    startedAt: '2026-12-01T09:00:00.000Z',
    age: '60m',
  });
  assert.equal(out.structured.pods[1]?.role, 'replica');
  assert.equal(out.structured.pods[1]?.ready, false);
  assert.match(
    out.text,
    /^2 instance pod\(s\) of team-a\/pg\n {2}pg-1 {2}primary {2}ready {2}Running {2}restarts=2/,
  );
  assert.deepEqual(
    Object.values(clusterPodsTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['read Cluster'],
  );
});
