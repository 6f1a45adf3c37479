import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { roleUpdate } from '@cnpg-mcp/catalog';
import { withChangedRole } from '../../../src/tools/roles/managed-roles.js';
import { declaredRole, type RoleView } from '../../../src/tools/roles/model.js';
import { planRoleUpdate, roleUpdateTool } from '../../../src/tools/roles/update.js';
import { accessOf, admin, alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, databaseRole, described, NS, resolveFor } from './fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  roleUpdate.inputSchema.parse({ cluster: 'pg', name: 'reporting', ...input });
const inline: RoleView = {
  source: 'managed.roles',
  config: { name: 'reporting', login: true, validUntil: '2030-01-01T00:00:00Z', createdb: false },
};

describe('planRoleUpdate', () => {
  test('only the attributes given change; valid_until null removes the expiry from a managed entry', () => {
    const { changed, change } = planRoleUpdate(
      args({ createdb: true, valid_until: null }),
      inline,
      NS,
      accessOf(alice),
    );
    assert.deepEqual(changed.sort(), ['createdb', 'validUntil']);
    assert.deepEqual(change.spec, { createdb: true, validUntil: null });
    const pg = cluster('pg', alice, [inline.config, { name: 'other' }]);
    assert.deepEqual(withChangedRole(pg, 'reporting', change.entry), [
      { name: 'reporting', login: true, createdb: true },
      { name: 'other' },
    ]);
  });

  test('refuses an undeclared role, and a call that changes nothing', () => {
    assert.throws(
      () => planRoleUpdate(args({ login: false }), undefined, NS, accessOf(alice)),
      refusedWith('not_found', /role "reporting" is not declared on cluster team-a\/pg; role_list/),
    );
    assert.throws(
      () => planRoleUpdate(args(), inline, NS, accessOf(alice)),
      refusedWith('invalid_input', /give at least one attribute/),
    );
    assert.throws(
      () => withChangedRole(cluster('pg', alice), 'reporting', (r) => r),
      refusedWith('not_found', /no longer declared/),
    );
  });

  const grants: [string, Record<string, unknown>][] = [
    ['superuser', { superuser: true }],
    ['replication', { replication: true }],
    ['bypassrls', { bypassrls: true }],
    ['createrole', { createrole: true }],
    ['pg_execute_server_program', { in_roles: ['pg_execute_server_program'] }],
    ['pg_write_server_files', { in_roles: ['pg_write_server_files'] }],
  ];
  for (const [what, input] of grants) {
    test(`granting ${what} is refused to non-admins (rule roleAttributes), allowed to admins`, () => {
      assert.throws(
        () => planRoleUpdate(args(input), inline, NS, accessOf(alice)),
        deniedBy('roleAttributes', /only an admin may give a role these powers.*policy key/),
      );
      planRoleUpdate(args(input), inline, NS, accessOf(admin));
    });
  }

  test('taking a power away, or leaving it unmentioned, is not a grant', () => {
    const superuser: RoleView = { source: 'managed.roles', config: { name: 'reporting', superuser: true } };
    planRoleUpdate(args({ superuser: false, in_roles: [] }), superuser, NS, accessOf(alice));
    planRoleUpdate(args({ comment: 'ops' }), superuser, NS, accessOf(alice));
  });
});

describe('role_update references', () => {
  test('a DatabaseRole: the cluster used, the DatabaseRole changed; the Cluster itself is not changed', async () => {
    const resolved = await resolveFor(roleUpdateTool.references, args({ login: false }), [
      cluster('pg', alice),
      databaseRole('pg', 'reporting', alice),
    ]);
    assert.deepEqual(described(resolved), ['use Cluster pg', 'change DatabaseRole pg-reporting']);
  });

  test('an inline role: the Cluster is also changed, and an inline role wins over a DatabaseRole', async () => {
    const pg = cluster('pg', alice, [{ name: 'reporting' }]);
    const resolved = await resolveFor(roleUpdateTool.references, args({ login: false }), [
      pg,
      databaseRole('pg', 'reporting', alice),
    ]);
    assert.deepEqual(described(resolved), ['use Cluster pg', 'change Cluster pg']);
    assert.equal(declaredRole('reporting', pg, resolved.observed.role)?.source, 'managed.roles');
  });

  test('an undeclared role resolves to nothing beyond the cluster (the plan says not declared)', async () => {
    const resolved = await resolveFor(roleUpdateTool.references, args({ login: false }), [
      cluster('pg', alice),
    ]);
    assert.deepEqual(described(resolved), ['use Cluster pg']);
  });

  test('bob cannot touch alice’s cluster; alice cannot change bob’s DatabaseRole on her cluster', async () => {
    const objects = [cluster('pg', alice), databaseRole('pg', 'reporting', bob)];
    await assert.rejects(
      resolveFor(roleUpdateTool.references, args({ login: false }), objects, { who: bob }),
      deniedBy('ownership', /Cluster team-a\/pg/),
    );
    await assert.rejects(
      resolveFor(roleUpdateTool.references, args({ login: false }), objects),
      deniedBy('ownership', /DatabaseRole team-a\/pg-reporting\) was created by bob-/),
    );
  });

  test('a DatabaseRole made outside cnpg-mcp is an admin’s to change', async () => {
    const objects = [cluster('pg', alice), databaseRole('pg', 'reporting', undefined)];
    await assert.rejects(
      resolveFor(roleUpdateTool.references, args({ login: false }), objects),
      deniedBy('unlabelled', /DatabaseRole team-a\/pg-reporting/),
    );
  });
});
