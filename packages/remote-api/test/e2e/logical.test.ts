import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  adminPatch,
  aliceCluster,
  count,
  fails,
  getCr,
  type ObjectsEnv,
  OTHER_NS,
  ok,
  startObjectsEnv,
} from '../support/objects-support.js';

let env: ObjectsEnv;

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, 'pg-src');
  await aliceCluster(env, 'pg-dst');
  await adminPatch(env, 'clusters', 'pg-dst', {
    spec: {
      externalClusters: [
        { name: 'source', connectionParameters: { host: 'pg-src-rw', user: 'app', dbname: 'app' } },
      ],
    },
  });
});

after(async () => {
  await env?.close();
});

test('publication_create for listed tables and schemas; publication_list shows it applied', async () => {
  const out = await ok(env.alice, 'publication_create', {
    cluster: 'pg-src',
    name: 'orders_pub',
    database: 'app',
    tables: [{ name: 'orders' }],
    schemas: ['sales'],
  });
  assert.equal(out.objectName, 'pg-src-orders-pub');
  const pub = await getCr(env, 'publications', 'pg-src-orders-pub');
  assert.equal(pub?.spec.name, 'orders_pub');
  assert.equal(pub?.spec.dbname, 'app');
  assert.deepEqual(pub?.spec.target.objects, [
    { table: { schema: 'public', name: 'orders' } },
    { tablesInSchema: 'sales' },
  ]);
  assert.match(pub?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
  await env.kube.settle();
  const list = await ok(env.alice, 'publication_list', { cluster: 'pg-src' });
  assert.equal(list.publications[0].target, 'public.orders, schema sales');
  assert.equal(list.publications[0].applied, true);
});

test('subscription_create refers to a declared external cluster', async () => {
  await fails(
    env.alice,
    'subscription_create',
    {
      cluster: 'pg-dst',
      name: 'orders_sub',
      database: 'app',
      publication: 'orders_pub',
      external_cluster: 'elsewhere',
    },
    /external_cluster: "elsewhere" is not in spec.externalClusters of pg-dst \(declared: source\)/,
  );
  await ok(env.alice, 'subscription_create', {
    cluster: 'pg-dst',
    name: 'orders_sub',
    database: 'app',
    publication: 'orders_pub',
    external_cluster: 'source',
  });
  const sub = await getCr(env, 'subscriptions', 'pg-dst-orders-sub');
  assert.equal(sub?.spec.publicationName, 'orders_pub');
  assert.equal(sub?.spec.externalClusterName, 'source');
  const list = await ok(env.alice, 'subscription_list', {});
  assert.deepEqual(
    list.subscriptions.map((s: { name: string }) => s.name),
    ['orders_sub'],
  );
});

test('bad input writes nothing; not found, forbidden, ownership; dry run', async () => {
  const before = await count(env, 'publications');
  await fails(
    env.alice,
    'publication_create',
    { cluster: 'pg-src', name: 'p2', database: 'app' },
    /all_tables, tables, schemas/,
  );
  await fails(
    env.alice,
    'publication_create',
    { cluster: 'pg-src', name: 'p2', database: 'app', all_tables: true, schemas: ['x'] },
    /not both/,
  );
  await fails(
    env.alice,
    'publication_create',
    { cluster: 'pg-src', name: 'P 2', database: 'app', all_tables: true },
    /name/,
  );
  await fails(
    env.alice,
    'publication_create',
    { cluster: 'pg-src', name: 'orders_pub', database: 'app', all_tables: true },
    /already declared/,
  );
  await fails(
    env.alice,
    'publication_create',
    { cluster: 'pg-none', name: 'p2', database: 'app', all_tables: true },
    /not found/,
  );
  await fails(env.alice, 'publication_list', { namespace: OTHER_NS }, /rule namespace/);
  await fails(
    env.bob,
    'publication_create',
    { cluster: 'pg-src', name: 'p2', database: 'app', all_tables: true },
    /rule ownership/,
  );
  const dry = await ok(env.alice, 'publication_create', {
    cluster: 'pg-src',
    name: 'everything',
    database: 'app',
    all_tables: true,
    dry_run: true,
  });
  assert.deepEqual(dry.object.spec.target, { allTables: true });
  assert.equal(await count(env, 'publications'), before);
});

test('deletes need confirmation, honour dry run and remove the objects', async () => {
  await fails(
    env.alice,
    'publication_delete',
    { cluster: 'pg-src', name: 'orders_pub', confirm: 'x' },
    /confirm/,
  );
  await fails(
    env.alice,
    'subscription_delete',
    { cluster: 'pg-dst', name: 'nope', confirm: 'nope' },
    /not declared/,
  );
  await ok(env.alice, 'subscription_delete', {
    cluster: 'pg-dst',
    name: 'orders_sub',
    confirm: 'orders_sub',
    dry_run: true,
  });
  assert.ok(
    await getCr(env, 'subscriptions', 'pg-dst-orders-sub'),
    "await getCr(env, 'subscriptions', 'pg-dst-orders-sub')",
  );
  await ok(env.alice, 'subscription_delete', {
    cluster: 'pg-dst',
    name: 'orders_sub',
    confirm: 'orders_sub',
  });
  await ok(env.alice, 'publication_delete', {
    cluster: 'pg-src',
    name: 'orders_pub',
    confirm: 'orders_pub',
    drop: false,
  });
  await env.kube.settle();
  assert.equal(await getCr(env, 'subscriptions', 'pg-dst-orders-sub'), undefined);
  assert.equal(await getCr(env, 'publications', 'pg-src-orders-pub'), undefined);
});
