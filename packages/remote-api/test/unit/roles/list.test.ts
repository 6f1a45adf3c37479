import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableFilter } from '../../../src/policy.js';
import { describeRoles, roleListTool } from '../../../src/tools/roles/list.js';
import type { RoleView } from '../../../src/tools/roles/model.js';
import { accessOf, alice, bob } from '../backups/fixtures.js';
import { cluster, databaseRole, described, NS, resolveFor } from './fixtures.js';

const pg = cluster('pg', alice, [{ name: 'inline' }]);
pg.status = { managedRolesStatus: { byStatus: { 'not-managed': ['app'] } } };
const hers = databaseRole('pg', 'hers', alice);
const his = databaseRole('pg', 'his', bob);
const views: RoleView[] = [
  { source: 'DatabaseRole', config: hers.spec as never, object: hers },
  { source: 'DatabaseRole', config: his.spec as never, object: his },
  { source: 'managed.roles', config: { name: 'inline' } },
];

describe('describeRoles', () => {
  test('every declared role, where new roles go, and the roles not managed', () => {
    const { structured, text } = describeRoles(
      NS,
      pg,
      views,
      'DatabaseRole',
      readableFilter(accessOf(bob), bob),
    );
    assert.deepEqual(
      structured.roles.map((r) => r.name),
      ['hers', 'his', 'inline'],
    );
    assert.deepEqual(structured.notManaged, ['app']);
    assert.match(text, /3 declared role\(s\) on team-a\/pg; new roles go to DatabaseRole\./);
  });

  test('with reads: owned, only the DatabaseRoles the caller made (and the cluster’s inline roles)', () => {
    const readable = readableFilter(accessOf(alice, { reads: 'owned' }), alice);
    const { structured } = describeRoles(NS, pg, views, 'DatabaseRole', readable);
    assert.deepEqual(
      structured.roles.map((r) => r.name),
      ['hers', 'inline'],
    );
  });
});

describe('role_list references', () => {
  test('the cluster, read', async () => {
    const resolved = await resolveFor(roleListTool.references, { cluster: 'pg' }, [pg]);
    assert.deepEqual(described(resolved), ['read Cluster pg']);
  });
});
