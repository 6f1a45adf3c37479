import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterResume } from '@cnpg-mcp/catalog';
import { clusterResumeTool, planResume } from '../../../src/tools/cluster/resume.js';

test('cluster_resume: hibernation off on the Cluster it changes', () => {
  const plan = planResume(clusterResume.inputSchema.parse({ name: 'pg' }), 'team-a');
  assert.deepEqual(plan.patch, { metadata: { annotations: { 'cnpg.io/hibernation': 'off' } } });
  assert.equal(plan.message, 'cluster team-a/pg resuming from hibernation');
  assert.deepEqual(
    Object.values(clusterResumeTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['change Cluster'],
  );
});
