import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterHibernate } from '@cnpg-mcp/catalog';
import { clusterHibernateTool, planHibernate } from '../../../src/tools/cluster/hibernate.js';
import { refusedWith } from '../backups/fixtures.js';

test('cluster_hibernate: confirm repeats the name; the hibernation annotation on the Cluster it changes', () => {
  const args = (confirm: string) => clusterHibernate.inputSchema.parse({ name: 'pg', confirm });
  assert.throws(
    () => planHibernate(args('pgx'), 'team-a'),
    refusedWith('confirmation_required', /cluster name "pg" \(got "pgx"\)/),
  );
  assert.deepEqual(planHibernate(args('pg'), 'team-a').patch, {
    metadata: { annotations: { 'cnpg.io/hibernation': 'on' } },
  });
  assert.deepEqual(
    Object.values(clusterHibernateTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['change Cluster'],
  );
});
