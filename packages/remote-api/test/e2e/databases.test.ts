import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  aliceCluster,
  count,
  fails,
  getCr,
  listCr,
  type ObjectsEnv,
  OTHER_NS,
  ok,
  startObjectsEnv,
} from '../support/objects-support.js';

let env: ObjectsEnv;

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, 'pg-db');
  await ok(env.alice, 'role_create', { cluster: 'pg-db', name: 'analyst' });
});

after(async () => {
  await env?.close();
});

test('database_create declares a Database with owner, locale, extensions and schemas, labelled', async () => {
  const out = await ok(env.alice, 'database_create', {
    cluster: 'pg-db',
    name: 'analytics',
    owner: 'analyst',
    encoding: 'UTF8',
    locale_provider: 'icu',
    icu_locale: 'en-US',
    connection_limit: 20,
    reclaim_policy: 'delete',
    extensions: [{ name: 'pg_stat_statements' }],
    schemas: [{ name: 'staging', owner: 'analyst' }],
  });
  assert.equal(out.objectName, 'pg-db-analytics');
  const db = await getCr(env, 'databases', 'pg-db-analytics');
  assert.equal(db?.spec.name, 'analytics');
  assert.equal(db?.spec.owner, 'analyst');
  assert.equal(db?.spec.localeProvider, 'icu');
  assert.equal(db?.spec.icuLocale, 'en-US');
  assert.equal(db?.spec.databaseReclaimPolicy, 'delete');
  assert.deepEqual(db?.spec.extensions, [{ name: 'pg_stat_statements', ensure: 'present' }]);
  assert.match(db?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
  assert.equal(db?.metadata.labels['cnpg.io/cluster'], 'pg-db');
});

test('database_get and database_list report what the instance manager applied', async () => {
  await env.kube.settle();
  const got = await ok(env.alice, 'database_get', { cluster: 'pg-db', name: 'analytics' });
  assert.equal(got.database.applied, true);
  assert.deepEqual(got.extensions, [{ name: 'pg_stat_statements', applied: true, message: '' }]);
  assert.equal(got.schemas[0].name, 'staging');
  const list = await ok(env.alice, 'database_list', { cluster: 'pg-db' });
  assert.deepEqual(
    list.databases.map((d: { name: string }) => d.name),
    ['analytics'],
  );
});

test('database_update merges extensions and schemas by name and changes the owner', async () => {
  await ok(env.alice, 'database_update', {
    cluster: 'pg-db',
    name: 'analytics',
    extensions: [
      { name: 'pg_stat_statements', ensure: 'absent' },
      { name: 'hstore', schema: 'public' },
    ],
    schemas: [{ name: 'archive' }],
    connection_limit: 50,
  });
  const db = await getCr(env, 'databases', 'pg-db-analytics');
  assert.deepEqual(db?.spec.extensions, [
    { name: 'pg_stat_statements', ensure: 'absent' },
    { name: 'hstore', ensure: 'present', schema: 'public' },
  ]);
  assert.deepEqual(
    db?.spec.schemas.map((s: { name: string }) => s.name),
    ['staging', 'archive'],
  );
  assert.equal(db?.spec.connectionLimit, 50);
  assert.equal(db?.spec.owner, 'analyst');
});

test('with wait, database_create reports whether the instance manager applied it', async () => {
  const applied = await ok(env.alice, 'database_create', {
    cluster: 'pg-db',
    name: 'ledger',
    owner: 'analyst',
    wait: true,
    wait_timeout_seconds: 30,
  });
  assert.equal(applied.waited, true);
  assert.equal(applied.applied, true);
  const refused = await ok(env.alice, 'database_create', {
    cluster: 'pg-db',
    name: 'orphan',
    owner: 'nobody',
    wait: true,
    wait_timeout_seconds: 30,
  });
  assert.equal(refused.applied, false);
  assert.match(refused.message, /NOT applied: .*role "nobody" does not exist/);
  for (const name of ['ledger', 'orphan']) {
    await ok(env.alice, 'database_delete', { cluster: 'pg-db', name, confirm: name });
  }
});

test('bad input names the field and writes nothing', async () => {
  const before = await count(env, 'databases');
  await fails(env.alice, 'database_create', { cluster: 'pg-db', name: 'postgres', owner: 'analyst' }, /name/);
  await fails(
    env.alice,
    'database_create',
    { cluster: 'pg-db', name: 'x', owner: 'analyst', builtin_locale: 'C.UTF-8' },
    /builtin_locale: needs locale_provider "builtin"/,
  );
  await fails(
    env.alice,
    'database_create',
    { cluster: 'pg-db', name: 'x', owner: 'analyst', extensions: [{ name: 'a' }, { name: 'a' }] },
    /extensions\.1\.name/,
  );
  await fails(env.alice, 'database_create', { cluster: 'pg-db', name: 'x', owner: 'Bad Owner' }, /owner/);
  await fails(env.alice, 'database_update', { cluster: 'pg-db', name: 'analytics' }, /at least one/);
  await fails(
    env.alice,
    'database_create',
    { cluster: 'pg-db', name: 'analytics', owner: 'analyst' },
    /already declared/,
  );
  assert.equal(await count(env, 'databases'), before);
});

test('not found, forbidden namespace and ownership', async () => {
  await fails(env.alice, 'database_get', { cluster: 'pg-db', name: 'nope' }, /no Database object/);
  await fails(env.alice, 'database_create', { cluster: 'pg-none', name: 'x', owner: 'a' }, /not found/);
  await fails(env.alice, 'database_list', { namespace: OTHER_NS }, /rule namespace/);
  await fails(
    env.bob,
    'database_update',
    { cluster: 'pg-db', name: 'analytics', connection_limit: 1 },
    /rule ownership/,
  );
});

test('dry run writes nothing', async () => {
  const out = await ok(env.alice, 'database_create', {
    cluster: 'pg-db',
    name: 'scratch',
    owner: 'analyst',
    dry_run: true,
  });
  assert.equal(out.dryRun, true);
  assert.equal(out.object.spec.name, 'scratch');
  assert.equal(await getCr(env, 'databases', 'pg-db-scratch'), undefined);
  await ok(env.alice, 'database_update', {
    cluster: 'pg-db',
    name: 'analytics',
    owner: 'app',
    dry_run: true,
  });
  assert.equal((await getCr(env, 'databases', 'pg-db-analytics'))?.spec.owner, 'analyst');
});

test('database_delete needs confirmation; drop sets the reclaim policy; the object goes', async () => {
  await fails(env.alice, 'database_delete', { cluster: 'pg-db', name: 'analytics', confirm: 'x' }, /confirm/);
  await ok(env.alice, 'database_delete', {
    cluster: 'pg-db',
    name: 'analytics',
    confirm: 'analytics',
    dry_run: true,
  });
  assert.ok(
    await getCr(env, 'databases', 'pg-db-analytics'),
    "await getCr(env, 'databases', 'pg-db-analytics')",
  );
  const out = await ok(env.alice, 'database_delete', {
    cluster: 'pg-db',
    name: 'analytics',
    confirm: 'analytics',
  });
  assert.equal(out.dropped, true);
  await env.kube.settle();
  assert.deepEqual(await listCr(env, 'databases'), []);
});
