import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { roleRotatePassword } from '@cnpg-mcp/catalog';
import { withChangedRole } from '../../../src/tools/roles/managed-roles.js';
import type { RoleView } from '../../../src/tools/roles/model.js';
import { planRotatePassword, roleRotatePasswordTool } from '../../../src/tools/roles/rotate-password.js';
import { newPasswordPatch, passwordSecretBody } from '../../../src/tools/roles/secret.js';
import { alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, databaseRole, described, NS, passwordSecret, resolveFor } from './fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  roleRotatePassword.inputSchema.parse({ cluster: 'pg', name: 'reporting', ...input });
const withSecret: RoleView = {
  source: 'managed.roles',
  config: { name: 'reporting', passwordSecret: { name: 'pg-reporting-password' } },
};
const disabled: RoleView = { source: 'managed.roles', config: { name: 'reporting', disablePassword: true } };

describe('planRotatePassword', () => {
  test('a role whose Secret exists gets a new password in it, nothing else changes', () => {
    const secret = passwordSecret('pg-reporting-password', 'reporting', alice);
    const plan = planRotatePassword(args(), withSecret, secret, NS);
    assert.deepEqual(
      { create: plan.create, secretName: plan.secretName },
      {
        create: false,
        secretName: 'pg-reporting-password',
      },
    );
  });

  test('a role without a password gets a new Secret and is pointed at it', () => {
    const plan = planRotatePassword(args(), disabled, undefined, NS);
    assert.ok(plan.create, 'plan.create');
    assert.equal(plan.secretName, 'pg-reporting-password');
    assert.deepEqual(plan.change.spec, {
      passwordSecret: { name: 'pg-reporting-password' },
      disablePassword: null,
    });
    assert.deepEqual(
      withChangedRole(cluster('pg', alice, [disabled.config]), 'reporting', plan.change.entry),
      [{ name: 'reporting', passwordSecret: { name: 'pg-reporting-password' } }],
    );
  });

  test('a declared Secret that is gone is made again under its name', () => {
    const named: RoleView = {
      source: 'managed.roles',
      config: { name: 'reporting', passwordSecret: { name: 'kept' } },
    };
    const plan = planRotatePassword(args(), named, undefined, NS);
    assert.ok(plan.create, 'plan.create');
    assert.equal(plan.secretName, 'kept');
  });

  test('an undeclared role is refused', () => {
    assert.throws(
      () => planRotatePassword(args(), undefined, undefined, NS),
      refusedWith('not_found', /not declared/),
    );
  });

  test('the Secret bodies: basic-auth, reloaded by the operator, the password only where it belongs', () => {
    const body = passwordSecretBody('pg-r-password', 'pg', 'r', 'p4ss') as {
      type: string;
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      stringData: Record<string, string>;
    };
    assert.equal(body.type, 'kubernetes.io/basic-auth');
    assert.deepEqual(body.metadata.labels, { 'cnpg.io/reload': 'true', 'cnpg.io/cluster': 'pg' });
    assert.deepEqual(body.metadata.annotations, { 'cnpg-mcp.io/role': 'r' });
    assert.deepEqual(body.stringData, { username: 'r', password: 'p4ss' });
    assert.deepEqual(newPasswordPatch('p4ss'), {
      metadata: { labels: { 'cnpg.io/reload': 'true' } },
      data: { password: Buffer.from('p4ss').toString('base64') },
    });
  });
});

describe('role_rotate_password references', () => {
  test('an existing Secret is changed; a missing one is created', async () => {
    const objects = [cluster('pg', alice), databaseRole('pg', 'reporting', alice)];
    const present = await resolveFor(roleRotatePasswordTool.references, args(), [
      ...objects,
      passwordSecret('pg-reporting-password', 'reporting', alice),
    ]);
    assert.deepEqual(described(present), [
      'use Cluster pg',
      'change DatabaseRole pg-reporting',
      'change Secret pg-reporting-password',
    ]);
    const missing = await resolveFor(roleRotatePasswordTool.references, args(), objects);
    assert.deepEqual(described(missing), [
      'use Cluster pg',
      'change DatabaseRole pg-reporting',
      'change Secret pg-reporting-password (absent)',
      'create Secret pg-reporting-password',
    ]);
  });

  test('a password Secret that is not the caller’s is not rotated', async () => {
    const objects = [
      cluster('pg', alice),
      databaseRole('pg', 'reporting', alice),
      passwordSecret('pg-reporting-password', 'reporting', bob),
    ];
    await assert.rejects(
      resolveFor(roleRotatePasswordTool.references, args(), objects),
      deniedBy('ownership', /Secret team-a\/pg-reporting-password\) was created by bob-/),
    );
  });

  test('bob cannot rotate on alice’s cluster', async () => {
    await assert.rejects(
      resolveFor(roleRotatePasswordTool.references, args(), [cluster('pg', alice)], { who: bob }),
      deniedBy('ownership', /Cluster team-a\/pg/),
    );
  });
});
