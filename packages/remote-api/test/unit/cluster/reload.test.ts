import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterReload } from '@cnpg-mcp/catalog';
import { clusterReloadTool, planReload } from '../../../src/tools/cluster/reload.js';
import { NOW } from './operations-fixtures.js';

test('cluster_reload: the reloadedAt annotation on the Cluster it changes', () => {
  const args = clusterReload.inputSchema.parse({ name: 'pg' });
  assert.deepEqual(planReload(args, 'team-a', NOW), {
    patch: { metadata: { annotations: { 'cnpg.io/reloadedAt': NOW.toISOString() } } },
    message: 'configuration reload of team-a/pg requested',
  });
  assert.deepEqual(
    Object.values(clusterReloadTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['change Cluster'],
  );
});
