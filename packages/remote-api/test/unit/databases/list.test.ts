import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import { databaseListTool, describeDatabases } from '../../../src/tools/databases/list.js';
import { accessOf, alice, bob } from '../backups/fixtures.js';
import { database, NS } from '../roles/fixtures.js';

const objects = [
  database('pg', 'hers', alice),
  database('pg', 'his', bob),
  database('pg', 'kubectl', undefined),
];

describe('describeDatabases', () => {
  test('namespace-wide reads by default', () => {
    const { structured, text } = describeDatabases(NS, 'pg', objects, readableFilter(accessOf(bob), bob));
    assert.deepEqual(
      structured.databases.map((d) => d.name),
      ['hers', 'his', 'kubectl'],
    );
    assert.match(text, /3 database\(s\) in team-a on cluster pg/);
  });

  test('with reads: owned, only the caller’s own', () => {
    const readable = readableFilter(accessOf(bob, { reads: 'owned' }), bob);
    assert.deepEqual(
      describeDatabases(NS, undefined, objects, readable).structured.databases.map((d) => d.name),
      ['his'],
    );
  });

  test('a namespace-wide list declares no reference (it filters instead)', () => {
    assert.deepEqual(databaseListTool.references, {});
  });
});
