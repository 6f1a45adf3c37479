import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import { backupListTool, selectBackups } from '../../../src/tools/backups/list.js';
import { accessOf, alice, bob, object } from './fixtures.js';

const backup = (name: string, cluster: string, owner: typeof alice | undefined, startedAt: string) =>
  object('Backup', name, owner, { spec: { cluster: { name: cluster } }, status: { startedAt } });

const items = [
  backup('a-1', 'a', alice, '2026-01-01T00:00:00Z'),
  backup('a-2', 'a', alice, '2026-01-02T00:00:00Z'),
  backup('b-1', 'b', bob, '2026-01-03T00:00:00Z'),
  backup('admin-1', 'a', undefined, '2026-01-04T00:00:00Z'),
];
const names = (list: { name: string }[]) => list.map((b) => b.name);

describe('selectBackups', () => {
  test('namespace-wide reads (the default): everything, newest first, optionally of one cluster', () => {
    const readable = readableFilter(accessOf(bob), bob);
    assert.deepEqual(names(selectBackups(items, undefined, readable)), ['admin-1', 'b-1', 'a-2', 'a-1']);
    assert.deepEqual(names(selectBackups(items, 'a', readable)), ['admin-1', 'a-2', 'a-1']);
  });

  test('reads: owned shows a non-admin only their own backups', () => {
    const readable = readableFilter(accessOf(bob, { reads: 'owned' }), bob);
    assert.deepEqual(names(selectBackups(items, undefined, readable)), ['b-1']);
    assert.deepEqual(names(selectBackups(items, 'a', readable)), []);
  });

  test('the list spans the namespace and declares nothing', () => {
    assert.deepEqual(backupListTool.references, {});
  });
});
