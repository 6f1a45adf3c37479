import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { roleDelete } from '@cnpg-mcp/catalog';
import { planRoleDelete, roleDeleteTool } from '../../../src/tools/roles/delete.js';
import type { RoleView } from '../../../src/tools/roles/model.js';
import { accessOf, admin, alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, databaseRole, described, NS, passwordSecret, resolveFor } from './fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  roleDelete.inputSchema.parse({ cluster: 'pg', name: 'reporting', confirm: 'reporting', ...input });
const caller = (who = alice) => ({ access: accessOf(who), identity: who });
const inline: RoleView = {
  source: 'managed.roles',
  config: { name: 'reporting', passwordSecret: { name: 'pg-reporting-password' } },
};
const object = databaseRole('pg', 'reporting', alice);
const asDatabaseRole: RoleView = { source: 'DatabaseRole', config: object.spec as never, object };
const secret = passwordSecret('pg-reporting-password', 'reporting', alice);

describe('planRoleDelete', () => {
  test('the confirmation repeats the role name, before anything else', () => {
    assert.throws(
      () => planRoleDelete(args({ confirm: 'nope' }), { view: undefined, secret, namespace: NS }, caller()),
      refusedWith('confirmation_required', /set confirm to the role name "reporting"/),
    );
    assert.throws(
      () => planRoleDelete(args(), { view: undefined, secret: undefined, namespace: NS }, caller()),
      refusedWith('not_found', /not declared/),
    );
  });

  test('a DatabaseRole: its reclaim policy set to delete first when dropping, then deleted, with its Secret', () => {
    const plan = planRoleDelete(args(), { view: asDatabaseRole, secret, namespace: NS }, caller());
    assert.deepEqual(plan, {
      secret: 'pg-reporting-password',
      source: 'DatabaseRole',
      object: 'pg-reporting',
      setReclaimDelete: true,
    });
    const kept = planRoleDelete(
      args({ drop: false }),
      { view: asDatabaseRole, secret, namespace: NS },
      caller(),
    );
    assert.equal(kept.source === 'DatabaseRole' && kept.setReclaimDelete, false);
  });

  test('a managed role: ensure absent without its Secret when dropping, else no longer managed', () => {
    const pg = cluster('pg', alice, [inline.config, { name: 'other' }]);
    const drop = planRoleDelete(args(), { view: inline, secret, namespace: NS }, caller());
    assert.equal(drop.source, 'managed.roles');
    if (drop.source !== 'managed.roles') return;
    assert.deepEqual(drop.edit(pg), [{ name: 'reporting', ensure: 'absent' }, { name: 'other' }]);
    const unmanage = planRoleDelete(args({ drop: false }), { view: inline, secret, namespace: NS }, caller());
    if (unmanage.source !== 'managed.roles') return assert.fail('managed');
    assert.deepEqual(unmanage.edit(pg), [{ name: 'other' }]);
    assert.match(unmanage.removed, /no longer managed/);
  });

  test('the Secret goes only when cnpg-mcp made it for this role and the caller may change it', () => {
    const secretOf = (plan: ReturnType<typeof planRoleDelete>) => plan.secret;
    const view = asDatabaseRole;
    assert.equal(
      secretOf(planRoleDelete(args(), { view, secret: undefined, namespace: NS }, caller())),
      undefined,
    );
    const otherRole = passwordSecret('pg-reporting-password', 'someone', alice);
    assert.equal(
      secretOf(planRoleDelete(args(), { view, secret: otherRole, namespace: NS }, caller())),
      undefined,
    );
    const unlabelled = passwordSecret('pg-reporting-password', 'reporting', undefined);
    assert.equal(
      secretOf(planRoleDelete(args(), { view, secret: unlabelled, namespace: NS }, caller())),
      undefined,
    );
    const bobs = passwordSecret('pg-reporting-password', 'reporting', bob);
    assert.equal(
      secretOf(planRoleDelete(args(), { view, secret: bobs, namespace: NS }, caller())),
      undefined,
    );
    assert.equal(
      secretOf(planRoleDelete(args(), { view, secret: bobs, namespace: NS }, caller(admin))),
      'pg-reporting-password',
    );
  });
});

describe('role_delete references', () => {
  test('the cluster used, the DatabaseRole and the Secret changed', async () => {
    const resolved = await resolveFor(roleDeleteTool.references, args(), [
      cluster('pg', alice),
      object,
      secret,
    ]);
    assert.deepEqual(described(resolved), [
      'use Cluster pg',
      'change DatabaseRole pg-reporting',
      'change Secret pg-reporting-password',
    ]);
  });

  test('CloudNativePG 1.29: the Cluster changed (its managed roles), no DatabaseRole looked for', async () => {
    const resolved = await resolveFor(
      roleDeleteTool.references,
      args(),
      [cluster('pg', alice, [inline.config]), secret],
      { cnpg: '1.29' },
    );
    assert.deepEqual(described(resolved), [
      'use Cluster pg',
      'change Cluster pg',
      'change Secret pg-reporting-password',
    ]);
  });

  test('bob cannot delete roles of alice’s cluster, nor alice bob’s DatabaseRole', async () => {
    await assert.rejects(
      resolveFor(roleDeleteTool.references, args(), [cluster('pg', alice), object, secret], { who: bob }),
      deniedBy('ownership', /Cluster team-a\/pg/),
    );
    await assert.rejects(
      resolveFor(roleDeleteTool.references, args(), [
        cluster('pg', alice),
        databaseRole('pg', 'reporting', bob),
      ]),
      deniedBy('ownership', /DatabaseRole team-a\/pg-reporting/),
    );
  });
});
