import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolerScale } from '@cnpg-mcp/catalog';
import { planPoolerScale, poolerScaleTool } from '../../../src/tools/poolers/scale.js';
import { alice, object } from '../backups/fixtures.js';

const args = (instances: number) => poolerScale.inputSchema.parse({ name: 'orders-pool', instances });

describe('planPoolerScale', () => {
  test('a merge patch of spec.instances, and the size it had', () => {
    const pooler = object('Pooler', 'orders-pool', alice, { spec: { instances: 2 } });
    assert.deepEqual(planPoolerScale(args(0), pooler, 'team-a'), {
      previous: 2,
      patch: { spec: { instances: 0 } },
      message: 'pooler team-a/orders-pool scaled from 2 to 0 instance(s)',
    });
  });

  test('a pooler without spec.instances has one', () => {
    assert.equal(planPoolerScale(args(3), object('Pooler', 'p', alice, { spec: {} }), 'team-a').previous, 1);
  });

  test('declares the Pooler (change) and the cluster it serves (use)', () => {
    assert.deepEqual(
      Object.values(poolerScaleTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change Pooler', 'use Cluster'],
    );
  });
});
