import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import {
  publicationListTool,
  publicationTarget,
  selectPublications,
} from '../../../src/tools/logical/publication-list.js';
import { accessOf, alice, bob } from '../backups/fixtures.js';
import { logical } from './fixtures.js';

const items = [
  logical('Publication', 'a-all', 'a', 'all', alice, { target: { allTables: true } }),
  logical('Publication', 'b-some', 'b', 'some', bob, {
    target: { objects: [{ table: { name: 'orders' } }, { tablesInSchema: 'sales' }] },
  }),
  logical('Publication', 'admin-pub', 'a', 'admin', undefined),
];

describe('publication_list', () => {
  test('what each publishes', () => {
    assert.equal(publicationTarget({ target: { allTables: true } }), 'all tables');
    assert.equal(
      publicationTarget({
        target: { objects: [{ table: { name: 'orders' } }, { tablesInSchema: 'sales' }] },
      }),
      'public.orders, schema sales',
    );
  });

  test('namespace-wide reads (the default): everything; reads: owned: only the caller’s', () => {
    const all = selectPublications(items, readableFilter(accessOf(bob), bob));
    assert.deepEqual(
      all.map((p) => [p.objectName, p.target, p.reclaimPolicy, p.applied]),
      [
        ['a-all', 'all tables', 'retain', null],
        ['b-some', 'public.orders, schema sales', 'retain', null],
        ['admin-pub', '', 'retain', null],
      ],
    );
    const owned = selectPublications(items, readableFilter(accessOf(bob, { reads: 'owned' }), bob));
    assert.deepEqual(
      owned.map((p) => p.objectName),
      ['b-some'],
    );
  });

  test('the list spans the namespace and declares nothing', () => {
    assert.deepEqual(publicationListTool.references, {});
  });
});
