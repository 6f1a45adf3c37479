import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import { selectScheduledBackups } from '../../../src/tools/backups/scheduled-backup-list.js';
import { accessOf, alice, bob, object } from './fixtures.js';

const schedule = (name: string, cluster: string, owner: typeof alice | undefined) =>
  object('ScheduledBackup', name, owner, {
    spec: { cluster: { name: cluster }, schedule: '@daily', suspend: true },
  });

const items = [
  schedule('weekly', 'b', bob),
  schedule('nightly', 'a', alice),
  schedule('hourly', 'a', undefined),
];
const names = (list: { name: string }[]) => list.map((s) => s.name);

describe('selectScheduledBackups', () => {
  test('by cluster then name, optionally of one cluster', () => {
    const readable = readableFilter(accessOf(alice), alice);
    assert.deepEqual(names(selectScheduledBackups(items, undefined, readable)), [
      'hourly',
      'nightly',
      'weekly',
    ]);
    assert.deepEqual(names(selectScheduledBackups(items, 'b', readable)), ['weekly']);
    assert.equal(selectScheduledBackups(items, 'b', readable)[0]?.suspended, true);
  });

  test('reads: owned shows only the caller’s', () => {
    assert.deepEqual(
      names(
        selectScheduledBackups(items, undefined, readableFilter(accessOf(alice, { reads: 'owned' }), alice)),
      ),
      ['nightly'],
    );
  });
});
