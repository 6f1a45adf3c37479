import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterDelete } from '@cnpg-mcp/catalog';
import { planClusterDelete } from '../../../src/tools/cluster/delete.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import type { Listed } from '../../../src/tools/cluster/name-claims.js';
import { alice, bob, object, refusedWith } from '../backups/fixtures.js';

const cluster = object('Cluster', 'pg', alice, { spec: { instances: 1 } }) as ClusterObject;
const args = (confirm = 'pg') => clusterDelete.inputSchema.parse({ name: 'pg', confirm });
const owned = (kind: Listed['kind'], name: string): Listed => {
  const o = object(kind, name, alice, { spec: { cluster: { name: 'pg' } } });
  o.metadata.ownerReferences = [
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: 'pg', uid: 'uid-pg' },
  ];
  return { kind, object: o };
};

test('what goes with the cluster (owner reference) and what stays (names it, not owned)', () => {
  const neighbours: Listed[] = [
    owned('Pooler', 'pg-pool'),
    owned('DatabaseRole', 'pg-app'),
    { kind: 'Database', object: object('Database', 'pg-old', bob, { spec: { cluster: { name: 'pg' } } }) },
    owned('Database', 'other-db'),
  ];
  neighbours[3]!.object.spec = { cluster: { name: 'other' } };
  const plan = planClusterDelete(args(), cluster, neighbours);
  assert.deepEqual(plan.dependents, ['DatabaseRole pg-app', 'Pooler pg-pool']);
  assert.deepEqual(plan.leftBehind, ['Database pg-old']);
  assert.equal(plan.rolesWithSecrets, true);
});

test('the confirmation must be the cluster name', () => {
  assert.throws(
    () => planClusterDelete(args('nope'), cluster, []),
    refusedWith('confirmation_required', /"pg"/),
  );
});
