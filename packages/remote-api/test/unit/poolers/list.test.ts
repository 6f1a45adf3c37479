import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import { poolerListTool, selectPoolers } from '../../../src/tools/poolers/list.js';
import { accessOf, alice, bob, object } from '../backups/fixtures.js';

const pooler = (name: string, cluster: string, owner: typeof alice | undefined) =>
  object('Pooler', name, owner, { spec: { cluster: { name: cluster }, pgbouncer: { poolMode: 'session' } } });

const items = [
  pooler('b-pool', 'b', bob),
  pooler('a-rw-pool', 'a', alice),
  pooler('a-ro-pool', 'a', alice),
  pooler('admin-pool', 'a', undefined),
];
const names = (list: { name: string }[]) => list.map((p) => p.name);

describe('selectPoolers', () => {
  test('namespace-wide reads (the default): everything by name, optionally of one cluster', () => {
    const readable = readableFilter(accessOf(bob), bob);
    assert.deepEqual(names(selectPoolers(items, undefined, readable, new Map())), [
      'a-ro-pool',
      'a-rw-pool',
      'admin-pool',
      'b-pool',
    ]);
    assert.deepEqual(names(selectPoolers(items, 'a', readable, new Map())), [
      'a-ro-pool',
      'a-rw-pool',
      'admin-pool',
    ]);
  });

  test('reads: owned shows a non-admin only their own poolers', () => {
    const readable = readableFilter(accessOf(bob, { reads: 'owned' }), bob);
    assert.deepEqual(names(selectPoolers(items, undefined, readable, new Map())), ['b-pool']);
    assert.deepEqual(names(selectPoolers(items, 'a', readable, new Map())), []);
  });

  test('ready instances are the Ready pods of each pooler, not the operator’s status.instances', () => {
    const counted = object('Pooler', 'a-rw-pool', alice, {
      spec: { cluster: { name: 'a' }, instances: 3, pgbouncer: { poolMode: 'session' } },
      // CloudNativePG reports the Deployment's replicas: created, not necessarily serving.
      status: { instances: 3, phase: 'active' },
    });
    const readable = readableFilter(accessOf(alice), alice);
    const [summary] = selectPoolers([counted], 'a', readable, new Map([['a-rw-pool', 1]]));
    assert.equal(summary?.instances, 3);
    assert.equal(summary?.readyInstances, 1);
    const [none] = selectPoolers([counted], 'a', readable, new Map());
    assert.equal(none?.readyInstances, 0);
  });

  test('the list spans the namespace and declares nothing', () => {
    assert.deepEqual(poolerListTool.references, {});
  });
});
