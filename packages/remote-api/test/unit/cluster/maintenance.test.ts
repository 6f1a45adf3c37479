import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterMaintenance } from '@cnpg-mcp/catalog';
import { clusterMaintenanceTool, planMaintenance } from '../../../src/tools/cluster/maintenance.js';

test('cluster_maintenance: the node maintenance window on the Cluster it changes', () => {
  const plan = (input: Record<string, unknown>) =>
    planMaintenance(clusterMaintenance.inputSchema.parse({ name: 'pg', ...input }), 'team-a');
  assert.deepEqual(plan({ in_progress: true }), {
    action: 'maintenance-started',
    patch: { spec: { nodeMaintenanceWindow: { inProgress: true, reusePVC: true } } },
    message: 'maintenance window of team-a/pg started (reusePVC=true)',
  });
  assert.equal(plan({ in_progress: false, reuse_pvc: false }).action, 'maintenance-ended');
  assert.deepEqual(plan({ in_progress: false, reuse_pvc: false }).patch.spec.nodeMaintenanceWindow, {
    inProgress: false,
    reusePVC: false,
  });
  assert.deepEqual(
    Object.values(clusterMaintenanceTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['change Cluster'],
  );
});
