import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { emulatorOnly } from '../../../devstack/src/stack.js';
import {
  aliceCluster,
  assertNoSecretInOutputs,
  call,
  count,
  fails,
  getCr,
  NS,
  type ObjectsEnv,
  OTHER_NS,
  ok,
  outputs,
  secretData,
  startObjectsEnv,
} from '../support/objects-support.js';

let env: ObjectsEnv;

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, 'pg-roles');
});

after(async () => {
  await env?.close();
});

/** Every secret value the tests saw, to prove no tool output other than credential_reveal carries one. */
const seenPasswords: string[] = [];

describe('roles through DatabaseRole (CloudNativePG 1.30+ discovered)', () => {
  test('role_create writes a basic-auth Secret with a generated password and a labelled DatabaseRole', async () => {
    const out = await ok(env.alice, 'role_create', {
      cluster: 'pg-roles',
      name: 'reporting',
      in_roles: ['pg_read_all_data'],
      connection_limit: 10,
      valid_until: '2030-01-01T00:00:00Z',
      comment: 'BI dashboards',
      password_length: 40,
    });
    assert.equal(out.mode, 'DatabaseRole');
    assert.equal(out.passwordSecret, 'pg-roles-reporting-password');
    const role = await getCr(env, 'databaseroles', 'pg-roles-reporting');
    assert.equal(role?.spec.name, 'reporting');
    assert.equal(role?.spec.login, true);
    assert.equal(role?.spec.connectionLimit, 10);
    assert.deepEqual(role?.spec.inRoles, ['pg_read_all_data']);
    assert.deepEqual(role?.spec.passwordSecret, { name: 'pg-roles-reporting-password' });
    assert.match(role?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
    assert.equal(role?.metadata.labels['app.kubernetes.io/managed-by'], 'cnpg-mcp');
    assert.equal(role?.metadata.annotations['cnpg-mcp.io/created-by-email'], 'alice@example.com');
    const secret = await env.core.readNamespacedSecret({
      namespace: NS,
      name: 'pg-roles-reporting-password',
    });
    assert.equal(secret.type, 'kubernetes.io/basic-auth');
    assert.equal(secret.metadata?.labels?.['cnpg.io/reload'], 'true');
    assert.match(secret.metadata?.labels?.['cnpg-mcp.io/created-by'] ?? '', /^devstack-alice-[0-9a-f]{12}$/);
    const data = await secretData(env, 'pg-roles-reporting-password');
    assert.equal(data?.username, 'reporting');
    assert.equal(data?.password.length, 40);
    seenPasswords.push(data!.password);
  });

  test('role_get and role_list show the applied status, never the password', async () => {
    await env.kube.settle();
    const got = await ok(env.alice, 'role_get', { cluster: 'pg-roles', name: 'reporting' });
    assert.equal(got.role.source, 'DatabaseRole');
    assert.equal(got.role.applied, true);
    assert.equal(got.role.passwordSecret, 'pg-roles-reporting-password');
    const list = await ok(env.alice, 'role_list', { cluster: 'pg-roles' });
    assert.equal(list.mode, 'DatabaseRole');
    assert.deepEqual(
      list.roles.map((r: { name: string }) => r.name),
      ['reporting'],
    );
    assert.ok(list.notManaged.includes('app'), "list.notManaged.includes('app')");
  });

  test('role_update changes attributes with a merge patch', async () => {
    const out = await ok(env.alice, 'role_update', {
      cluster: 'pg-roles',
      name: 'reporting',
      createdb: true,
      valid_until: null,
    });
    assert.deepEqual(out.changed.sort(), ['createdb', 'validUntil']);
    const role = await getCr(env, 'databaseroles', 'pg-roles-reporting');
    assert.equal(role?.spec.createdb, true);
    assert.equal(role?.spec.validUntil, undefined);
    assert.equal(role?.spec.connectionLimit, 10);
  });

  test('role_rotate_password replaces the password in the Secret; dry run changes nothing', async () => {
    const before = await secretData(env, 'pg-roles-reporting-password');
    const dry = await ok(env.alice, 'role_rotate_password', {
      cluster: 'pg-roles',
      name: 'reporting',
      dry_run: true,
    });
    assert.equal(dry.dryRun, true);
    assert.equal((await secretData(env, 'pg-roles-reporting-password'))?.password, before?.password);
    await ok(env.alice, 'role_rotate_password', { cluster: 'pg-roles', name: 'reporting' });
    const after = await secretData(env, 'pg-roles-reporting-password');
    assert.notEqual(after?.password, before?.password);
    assert.equal(after?.password.length, 32);
    assert.equal(after?.username, 'reporting');
    seenPasswords.push(after!.password);
  });

  test('credential_reveal returns the password, and is recorded in the audit log', async () => {
    const out = await ok(env.alice, 'credential_reveal', { cluster: 'pg-roles', name: 'reporting' });
    const data = await secretData(env, 'pg-roles-reporting-password');
    assert.equal(out.password, data?.password);
    assert.equal(out.username, 'reporting');
    const audit = env.api.audit.records<{ tool: string; outcome: string; name: string }>();
    assert.ok(
      audit.some((r) => r.tool === 'credential_reveal' && r.outcome === 'success'),
      "audit.some((r) => r.tool === 'credential_reveal' && r.outcome === 'success')",
    );
    assert.ok(!env.api.audit.lines.join('').includes(data!.password), 'the audit log never holds the value');
    assert.ok(!env.api.logs.lines.join('').includes(data!.password), 'the logs never hold the value');
  });

  test('credential_reveal is refused without the write scope (the policy forbids it)', async () => {
    await fails(
      env.reader,
      'credential_reveal',
      { cluster: 'pg-roles', name: 'reporting' },
      /rule read_only/,
    );
    await fails(env.bob, 'credential_reveal', { cluster: 'pg-roles', name: 'reporting' }, /rule ownership/);
  });

  test('with wait, role_create returns once the role is applied', async () => {
    const out = await ok(env.alice, 'role_create', {
      cluster: 'pg-roles',
      name: 'waiter',
      wait: true,
      wait_timeout_seconds: 30,
    });
    assert.equal(out.waited, true);
    assert.equal(out.applied, true);
    await ok(env.alice, 'role_delete', { cluster: 'pg-roles', name: 'waiter', confirm: 'waiter' });
    await env.kube.settle();
  });

  test('bad input is refused naming the field, and nothing is written', async () => {
    const before = await count(env, 'databaseroles');
    const text = await fails(env.alice, 'role_create', { cluster: 'pg-roles', name: 'pg_evil' }, /name/);
    assert.match(text, /nothing was written/);
    await fails(
      env.alice,
      'role_create',
      { cluster: 'pg-roles', name: 'x', connection_limit: -5 },
      /connection_limit/,
    );
    await fails(
      env.alice,
      'role_create',
      { cluster: 'pg-roles', name: 'x', valid_until: 'tomorrow' },
      /valid_until/,
    );
    await fails(
      env.alice,
      'role_create',
      { cluster: 'pg-roles', name: 'x', login: false, client_certificate: true },
      /client_certificate/,
    );
    await fails(env.alice, 'role_create', { cluster: 'pg-roles', name: 'reporting' }, /already declared/);
    assert.equal(await count(env, 'databaseroles'), before);
    assert.equal(await secretData(env, 'pg-roles-x-password'), undefined);
  });

  test('not found, forbidden namespace, ownership and the read scope are refused', async () => {
    await fails(env.alice, 'role_get', { cluster: 'pg-roles', name: 'nobody' }, /not declared/);
    await fails(env.alice, 'role_list', { cluster: 'pg-none' }, /not found/);
    await fails(env.alice, 'role_list', { namespace: OTHER_NS, cluster: 'pg-roles' }, /rule namespace/);
    await fails(env.bob, 'role_create', { cluster: 'pg-roles', name: 'bobs' }, /rule ownership/);
    await assert.rejects(
      call(env.reader, 'role_update', { cluster: 'pg-roles', name: 'reporting', login: false }),
      /insufficient_scope.*mcp:write/,
    );
  });

  test('dry run validates on the server and writes neither the role nor the Secret', async () => {
    const out = await ok(env.alice, 'role_create', { cluster: 'pg-roles', name: 'drytest', dry_run: true });
    assert.equal(out.dryRun, true);
    assert.equal(out.object.kind, 'DatabaseRole');
    assert.equal(await getCr(env, 'databaseroles', 'pg-roles-drytest'), undefined);
    assert.equal(await secretData(env, 'pg-roles-drytest-password'), undefined);
    const audit = env.api.audit.records<{ tool: string; name: string; namespace: string; dryRun: boolean }>();
    assert.ok(
      audit.some((r) => r.tool === 'role_create' && r.name === 'drytest' && r.namespace === NS && r.dryRun),
      "audit.some((r) => r.tool === 'role_create' && r.name === 'drytest' && r.namespace === N…",
    );
  });

  test('client_certificate asks the DatabaseRole for a TLS client certificate', async () => {
    await ok(env.alice, 'role_create', {
      cluster: 'pg-roles',
      name: 'certified',
      client_certificate: true,
      disable_password: true,
      reclaim_policy: 'delete',
    });
    const role = await getCr(env, 'databaseroles', 'pg-roles-certified');
    assert.deepEqual(role?.spec.clientCertificate, { enabled: true });
    assert.equal(role?.spec.disablePassword, true);
    assert.equal(role?.spec.passwordSecret, undefined);
    assert.equal(role?.spec.databaseRoleReclaimPolicy, 'delete');
    assert.equal(await secretData(env, 'pg-roles-certified-password'), undefined);
    await fails(
      env.alice,
      'credential_reveal',
      { cluster: 'pg-roles', name: 'certified' },
      /no password Secret/,
    );
    await ok(env.alice, 'role_delete', { cluster: 'pg-roles', name: 'certified', confirm: 'certified' });
    await env.kube.settle();
  });

  test(
    'a role the API server refuses leaves no password Secret behind',
    emulatorOnly('injects a 500 into the API server'),
    async () => {
      const fault = env.kube.faults.add({ method: 'POST', path: '/databaseroles', status: 500, times: 1 });
      try {
        await fails(
          env.alice,
          'role_create',
          { cluster: 'pg-roles', name: 'unlucky' },
          /injected fault|HTTP 500/,
        );
      } finally {
        env.kube.faults.remove(fault);
      }
      assert.equal(await secretData(env, 'pg-roles-unlucky-password'), undefined);
      assert.equal(await getCr(env, 'databaseroles', 'pg-roles-unlucky'), undefined);
    },
  );

  test('role_delete needs the role name as confirmation, then deletes the role and its Secret', async () => {
    await fails(
      env.alice,
      'role_delete',
      { cluster: 'pg-roles', name: 'reporting', confirm: 'nope' },
      /confirm/,
    );
    assert.ok(
      await getCr(env, 'databaseroles', 'pg-roles-reporting'),
      "await getCr(env, 'databaseroles', 'pg-roles-reporting')",
    );
    const dry = await ok(env.alice, 'role_delete', {
      cluster: 'pg-roles',
      name: 'reporting',
      confirm: 'reporting',
      dry_run: true,
    });
    assert.equal(dry.dryRun, true);
    assert.ok(
      await getCr(env, 'databaseroles', 'pg-roles-reporting'),
      "await getCr(env, 'databaseroles', 'pg-roles-reporting')",
    );
    assert.ok(
      await secretData(env, 'pg-roles-reporting-password'),
      "await secretData(env, 'pg-roles-reporting-password')",
    );
    const out = await ok(env.alice, 'role_delete', {
      cluster: 'pg-roles',
      name: 'reporting',
      confirm: 'reporting',
    });
    assert.ok(
      out.deleted.includes('secret/pg-roles-reporting-password'),
      "out.deleted.includes('secret/pg-roles-reporting-password')",
    );
    await env.kube.settle();
    assert.equal(await getCr(env, 'databaseroles', 'pg-roles-reporting'), undefined);
    assert.equal(await secretData(env, 'pg-roles-reporting-password'), undefined);
  });
});

describe(
  'roles through spec.managed.roles (CloudNativePG 1.29: no DatabaseRole resource)',
  emulatorOnly('CloudNativePG 1.29 is emulated; a real cluster runs one release'),
  () => {
    let legacy: ObjectsEnv;
    before(async () => {
      legacy = await startObjectsEnv({ cnpgVersion: '1.29' });
      await aliceCluster(legacy, 'pg-roles');
    });
    after(async () => {
      await legacy?.close();
    });

    test('without the DatabaseRole resource, roles go to spec.managed.roles', async () => {
      const out = await ok(legacy.alice, 'role_create', {
        cluster: 'pg-roles',
        name: 'legacy',
        createdb: true,
      });
      assert.equal(out.mode, 'managed.roles');
      const cluster = await getCr(legacy, 'clusters', 'pg-roles');
      const role = cluster?.spec.managed.roles.find((r: { name: string }) => r.name === 'legacy');
      assert.equal(role.createdb, true);
      assert.deepEqual(role.passwordSecret, { name: 'pg-roles-legacy-password' });
      const data = await secretData(legacy, 'pg-roles-legacy-password');
      seenPasswords.push(data!.password);

      await legacy.kube.settle();
      const got = await ok(legacy.alice, 'role_get', { cluster: 'pg-roles', name: 'legacy' });
      assert.equal(got.role.source, 'managed.roles');
      assert.equal(got.role.applied, true);

      // The list is rewritten whole, so a concurrent change (409) is retried on a fresh read.
      const conflict = legacy.kube.faults.add({
        method: 'PATCH',
        path: '/clusters/pg-roles',
        status: 409,
        times: 1,
      });
      await ok(legacy.alice, 'role_update', {
        cluster: 'pg-roles',
        name: 'legacy',
        in_roles: ['pg_monitor'],
      });
      assert.ok(!legacy.kube.faults.list().some((f) => f.id === conflict), 'the conflict was hit once');
      const updated = (await getCr(legacy, 'clusters', 'pg-roles'))?.spec.managed.roles[0];
      assert.deepEqual(updated.inRoles, ['pg_monitor']);
      assert.equal(updated.createdb, true);

      await ok(legacy.alice, 'role_delete', { cluster: 'pg-roles', name: 'legacy', confirm: 'legacy' });
      const deleted = (await getCr(legacy, 'clusters', 'pg-roles'))?.spec.managed.roles[0];
      assert.equal(deleted.ensure, 'absent');
      assert.equal(await secretData(legacy, 'pg-roles-legacy-password'), undefined);
    });

    test('without DatabaseRole, a client certificate is refused before anything is written', async () => {
      await fails(
        legacy.alice,
        'role_create',
        { cluster: 'pg-roles', name: 'certless', client_certificate: true },
        /client_certificate: needs the DatabaseRole resource/,
      );
      assert.equal(await secretData(legacy, 'pg-roles-certless-password'), undefined);
    });
  },
);

describe('credentials', () => {
  test('the application owner password is revealed from the cluster Secret', async () => {
    await env.kube.settle();
    const out = await ok(env.alice, 'credential_reveal', { cluster: 'pg-roles' });
    const data = await secretData(env, 'pg-roles-app');
    assert.equal(out.secretName, 'pg-roles-app');
    assert.equal(out.password, data?.password);
    seenPasswords.push(data!.password);
  });
});

test('no tool output except credential_reveal carried a password, nor did the logs', async () => {
  await call(env.alice, 'cluster_connection_info', { name: 'pg-roles' });
  await call(env.alice, 'role_list', { cluster: 'pg-roles' });
  assertNoSecretInOutputs(seenPasswords);
  const logs = env.api.logs.lines.join('\n') + env.api.audit.lines.join('\n');
  for (const password of seenPasswords) assert.ok(!logs.includes(password), '!logs.includes(password)');
  assert.ok(
    outputs.some(
      (o) => o.tool === 'credential_reveal' && seenPasswords.some((p) => o.serialized.includes(p)),
    ),
    "outputs.some((o) => o.tool === 'credential_reveal' && seenPasswords.some((p) => o.seria…",
  );
});
