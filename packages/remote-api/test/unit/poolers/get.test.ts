import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describePoolerGet, poolerGetTool } from '../../../src/tools/poolers/get.js';
import { alice, object } from '../backups/fixtures.js';

const pooler = object('Pooler', 'orders-pool', alice, {
  spec: {
    cluster: { name: 'orders' },
    type: 'rw',
    instances: 2,
    pgbouncer: { poolMode: 'transaction', parameters: { max_client_conn: '500' } },
  },
  // status.instances counts the Deployment's replicas (both created); one pod is Ready.
  status: { instances: 2, phase: 'active', phaseReason: 'one pod starting' },
});

describe('pooler_get', () => {
  test('summary, Service, parameters and the operator’s reason', () => {
    const { structured, text } = describePoolerGet(pooler, 'team-a', 1);
    assert.equal(structured.pooler.readyInstances, 1);
    assert.equal(structured.pooler.owner, alice.userId);
    assert.equal(structured.phaseReason, 'one pod starting');
    assert.deepEqual(structured.status, pooler.status);
    assert.equal(
      text,
      [
        'Pooler orders-pool  → orders (rw)  1/2 pods  transaction  active',
        '  service orders-pool.team-a:5432',
        '  parameters max_client_conn=500',
        '  reason: one pod starting',
      ].join('\n'),
    );
  });

  test('the Pooler is declared as a read (the policy’s reads rule applies)', () => {
    assert.deepEqual(
      Object.values(poolerGetTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['read Pooler'],
    );
  });
});
