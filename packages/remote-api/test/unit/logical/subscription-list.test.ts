import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import { selectSubscriptions, subscriptionListTool } from '../../../src/tools/logical/subscription-list.js';
import { accessOf, alice, bob } from '../backups/fixtures.js';
import { logical } from './fixtures.js';

const items = [
  logical('Subscription', 'a-sub', 'a', 'sub', alice, {
    publicationName: 'pub',
    externalClusterName: 'source',
    subscriptionReclaimPolicy: 'delete',
  }),
  logical('Subscription', 'b-sub', 'b', 'sub', bob, { publicationName: 'pub', externalClusterName: 'up' }),
];

describe('subscription_list', () => {
  test('namespace-wide reads (the default): everything with its source; reads: owned: only the caller’s', () => {
    const all = selectSubscriptions(items, readableFilter(accessOf(bob), bob));
    assert.deepEqual(all[0], {
      objectName: 'a-sub',
      cluster: 'a',
      name: 'sub',
      database: 'app',
      reclaimPolicy: 'delete',
      applied: null,
      message: '',
      owner: alice.userId,
      publication: 'pub',
      externalCluster: 'source',
      publicationDatabase: '',
    });
    const owned = selectSubscriptions(items, readableFilter(accessOf(bob, { reads: 'owned' }), bob));
    assert.deepEqual(
      owned.map((s) => s.objectName),
      ['b-sub'],
    );
  });

  test('the list spans the namespace and declares nothing', () => {
    assert.deepEqual(subscriptionListTool.references, {});
  });
});
