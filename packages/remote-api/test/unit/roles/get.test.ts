import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { roleGet } from '@cnpg-mcp/catalog';
import { describeRole, roleGetTool } from '../../../src/tools/roles/get.js';
import { alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, databaseRole, described, NS, resolveFor } from './fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  roleGet.inputSchema.parse({ cluster: 'pg', name: 'reporting', ...input });

describe('describeRole', () => {
  test('a DatabaseRole: summary, errors, certificate expiry and conditions', () => {
    const object = databaseRole('pg', 'reporting', alice, { inRoles: ['pg_monitor'] });
    object.status = {
      applied: false,
      message: 'role "x" does not exist',
      clientCertificate: { expiration: '2027-01-01T00:00:00Z' },
      conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: 'no' }],
    };
    const { structured, text } = describeRole(args(), { cluster: cluster('pg', alice), role: object }, NS);
    assert.equal(structured.role.source, 'DatabaseRole');
    assert.equal(structured.role.applied, false);
    assert.deepEqual(structured.errors, ['role "x" does not exist']);
    assert.equal(structured.clientCertificateExpiration, '2027-01-01T00:00:00Z');
    assert.equal(structured.conditions.length, 1);
    assert.match(text, /Role reporting on team-a\/pg \(DatabaseRole pg-reporting\): NOT applied/);
    assert.match(text, /member of pg_monitor/);
  });

  test('an inline managed role, reconciled', () => {
    const pg = cluster('pg', alice, [{ name: 'reporting', login: true }]);
    pg.status = { managedRolesStatus: { byStatus: { reconciled: ['reporting'] } } };
    const { structured } = describeRole(args(), { cluster: pg, role: undefined }, NS);
    assert.equal(structured.role.source, 'managed.roles');
    assert.equal(structured.role.applied, true);
  });

  test('an undeclared role', () => {
    assert.throws(
      () => describeRole(args(), { cluster: cluster('pg', alice), role: undefined }, NS),
      refusedWith('not_found', /role "reporting" is not declared on cluster team-a\/pg/),
    );
  });
});

describe('role_get references', () => {
  test('the cluster and the DatabaseRole, read', async () => {
    const resolved = await resolveFor(roleGetTool.references, args(), [
      cluster('pg', alice),
      databaseRole('pg', 'reporting', alice),
    ]);
    assert.deepEqual(described(resolved), ['read Cluster pg', 'read DatabaseRole pg-reporting']);
  });

  test('reads are namespace-wide by default; with reads: owned bob reads neither', async () => {
    const objects = [cluster('pg', alice), databaseRole('pg', 'reporting', alice)];
    await resolveFor(roleGetTool.references, args(), objects, { who: bob });
    await assert.rejects(
      resolveFor(roleGetTool.references, args(), objects, { who: bob, policy: { reads: 'owned' } }),
      deniedBy('reads', /Cluster team-a\/pg/),
    );
  });
});
