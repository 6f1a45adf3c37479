import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterUnfence } from '@cnpg-mcp/catalog';
import { planFencing } from '../../../src/tools/cluster/fencing.js';
import { clusterUnfenceTool } from '../../../src/tools/cluster/unfence.js';
import { refusedWith } from '../backups/fixtures.js';
import { pod, runningCluster } from './operations-fixtures.js';

const args = (instance: string) => clusterUnfence.inputSchema.parse({ name: 'pg', instance });
const fenced = (list: string[]) => runningCluster({}, { 'cnpg.io/fencedInstances': JSON.stringify(list) });

describe('cluster_unfence', () => {
  test('removes the instance; the annotation goes when nothing is left fenced', () => {
    assert.deepEqual(planFencing(false, args('pg-2'), fenced(['pg-2', 'pg-3']), pod('pg-2')).patch, {
      metadata: { annotations: { 'cnpg.io/fencedInstances': '["pg-3"]' } },
    });
    const last = planFencing(false, args('pg-2'), fenced(['pg-2']), pod('pg-2'));
    assert.deepEqual(last.next, []);
    assert.deepEqual(last.patch, { metadata: { annotations: { 'cnpg.io/fencedInstances': null } } });
    assert.match(last.message, /unfenced; fenced now: none$/);
    assert.deepEqual(planFencing(false, args('*'), fenced(['*']), undefined).next, []);
  });

  test('one instance cannot be unfenced while the whole cluster is', () => {
    assert.throws(
      () => planFencing(false, args('pg-2'), fenced(['*']), pod('pg-2')),
      refusedWith('precondition', /unfence "\*" instead of one instance/),
    );
  });

  test('declares the same references as cluster_fence', () => {
    assert.deepEqual(
      Object.values(clusterUnfenceTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change Cluster', 'use Pod'],
    );
  });
});
