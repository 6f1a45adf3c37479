import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { roleCreate } from '@cnpg-mcp/catalog';
import { planRoleCreate, roleCreateTool } from '../../../src/tools/roles/create.js';
import { withManagedRole } from '../../../src/tools/roles/managed-roles.js';
import type { RoleMode, RoleView } from '../../../src/tools/roles/model.js';
import { accessOf, admin, alice, bob, deniedBy, type Loose, refusedWith } from '../backups/fixtures.js';
import { cluster, databaseRole, described, NS, resolveFor } from './fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  roleCreate.inputSchema.parse({ cluster: 'pg', name: 'reporting', ...input });
const plan = (
  input: Record<string, unknown> = {},
  mode: RoleMode = 'DatabaseRole',
  existing: RoleView[] = [],
  access = accessOf(alice),
) => planRoleCreate(args(input), { mode, existing, namespace: NS }, access);

describe('planRoleCreate: what is written', () => {
  test('DatabaseRole mode: a DatabaseRole naming its cluster and its password Secret', () => {
    const planned = plan({ in_roles: ['pg_read_all_data'], connection_limit: 10, comment: 'BI' });
    assert.equal(planned.secretName, 'pg-reporting-password');
    assert.deepEqual(planned.databaseRole as Loose, {
      metadata: { name: 'pg-reporting', labels: { 'cnpg.io/cluster': 'pg' } },
      spec: {
        name: 'reporting',
        login: true,
        superuser: false,
        createdb: false,
        createrole: false,
        replication: false,
        bypassrls: false,
        inherit: true,
        connectionLimit: 10,
        inRoles: ['pg_read_all_data'],
        comment: 'BI',
        passwordSecret: { name: 'pg-reporting-password' },
        cluster: { name: 'pg' },
        databaseRoleReclaimPolicy: 'retain',
      },
    });
  });

  test('managed.roles mode: an entry for spec.managed.roles, no DatabaseRole', () => {
    const planned = plan({ createdb: true }, 'managed.roles');
    assert.equal(planned.databaseRole, undefined);
    assert.equal(planned.config.ensure, 'present');
    assert.equal(planned.config.createdb, true);
    assert.deepEqual(planned.config.passwordSecret, { name: 'pg-reporting-password' });
    const existing = cluster('pg', alice, [{ name: 'other' }]);
    assert.deepEqual(
      withManagedRole(existing, planned.config).map((r) => r.name),
      ['other', 'reporting'],
    );
  });

  test('a disabled password: no Secret, disablePassword; a client certificate when asked', () => {
    const planned = plan({ disable_password: true, client_certificate: true, reclaim_policy: 'delete' });
    assert.equal(planned.secretName, '');
    const spec = (planned.databaseRole as Loose).spec;
    assert.equal(spec.disablePassword, true);
    assert.equal(spec.passwordSecret, undefined);
    assert.deepEqual(spec.clientCertificate, { enabled: true });
    assert.equal(spec.databaseRoleReclaimPolicy, 'delete');
  });
});

describe('planRoleCreate: refusals', () => {
  test('a client certificate needs login, and the DatabaseRole resource', () => {
    assert.throws(
      () => plan({ login: false, client_certificate: true }),
      refusedWith('invalid_input', /client_certificate: a client certificate needs login=true/),
    );
    assert.throws(
      () => plan({ client_certificate: true }, 'managed.roles'),
      refusedWith('invalid_input', /client_certificate: needs the DatabaseRole resource/),
    );
  });

  test('a role the cluster already declares (inline or by a DatabaseRole)', () => {
    const existing: RoleView[] = [{ source: 'managed.roles', config: { name: 'reporting' } }];
    assert.throws(
      () => plan({}, 'DatabaseRole', existing),
      refusedWith(
        'precondition',
        /role "reporting" is already declared on cluster team-a\/pg; use role_update/,
      ),
    );
    assert.throws(
      () => withManagedRole(cluster('pg', alice, [{ name: 'reporting' }]), { name: 'reporting' }),
      refusedWith('precondition', /already declared/),
    );
  });

  const dangerous: [string, Record<string, unknown>, RegExp, string][] = [
    ['superuser', { superuser: true }, /SUPERUSER/, 'roleAttributes.superuser'],
    ['replication', { replication: true }, /REPLICATION/, 'roleAttributes.replication'],
    ['bypassrls', { bypassrls: true }, /BYPASSRLS/, 'roleAttributes.bypassrls'],
    ['createrole', { createrole: true }, /CREATEROLE/, 'roleAttributes.createrole'],
    [
      'membership in pg_execute_server_program',
      { in_roles: ['pg_execute_server_program'] },
      /membership in pg_execute_server_program/,
      'roleAttributes.memberOf',
    ],
    [
      'membership in pg_read_server_files',
      { in_roles: ['pg_monitor', 'pg_read_server_files'] },
      /membership in pg_read_server_files/,
      'roleAttributes.memberOf',
    ],
    [
      'membership in postgres',
      { in_roles: ['postgres'] },
      /membership in postgres/,
      'roleAttributes.memberOf',
    ],
  ];
  for (const [what, input, message, key] of dangerous) {
    test(`${what} is an admin's decision, naming the policy key ${key}`, () => {
      for (const mode of ['DatabaseRole', 'managed.roles'] as const) {
        assert.throws(
          () => plan(input, mode),
          (error: unknown) =>
            deniedBy('roleAttributes', message)(error) && (error as Error).message.includes(key),
        );
      }
      plan(input, 'DatabaseRole', [], accessOf(admin));
    });
  }

  test('the policy can open an attribute or a membership; harmless predefined roles are open', () => {
    plan({ superuser: true }, 'DatabaseRole', [], accessOf(alice, { roleAttributes: { superuser: true } }));
    plan(
      { in_roles: ['pg_read_server_files'] },
      'DatabaseRole',
      [],
      accessOf(alice, { roleAttributes: { memberOf: ['pg_read_server_files'] } }),
    );
    plan({ in_roles: ['pg_monitor', 'pg_read_all_data'], createdb: true });
  });
});

describe('role_create references', () => {
  test('CloudNativePG 1.30: uses the cluster, creates the DatabaseRole and the Secret', async () => {
    const resolved = await resolveFor(roleCreateTool.references, args(), [cluster('pg', alice)]);
    assert.deepEqual(described(resolved), [
      'use Cluster pg',
      'create DatabaseRole pg-reporting',
      'create Secret pg-reporting-password',
    ]);
  });

  test('CloudNativePG 1.29: the cluster is also changed (spec.managed.roles); no DatabaseRole', async () => {
    const resolved = await resolveFor(roleCreateTool.references, args(), [cluster('pg', alice)], {
      cnpg: '1.29',
    });
    assert.deepEqual(described(resolved), [
      'use Cluster pg',
      'change Cluster pg',
      'create Secret pg-reporting-password',
    ]);
  });

  test('no password: no Secret declared', async () => {
    const resolved = await resolveFor(roleCreateTool.references, args({ disable_password: true }), [
      cluster('pg', alice),
    ]);
    assert.deepEqual(described(resolved), ['use Cluster pg', 'create DatabaseRole pg-reporting']);
  });

  test('bob is refused on alice’s cluster, in both modes', async () => {
    for (const cnpg of ['1.30', '1.29'] as const) {
      await assert.rejects(
        resolveFor(
          roleCreateTool.references,
          args(),
          [cluster('pg', alice), databaseRole('pg', 'x', alice)],
          {
            who: bob,
            cnpg,
          },
        ),
        deniedBy('ownership', /the cluster of the role \(Cluster team-a\/pg\) was created by alice-/),
      );
    }
  });
});
