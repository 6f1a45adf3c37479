import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
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
  await aliceCluster(env, 'pg-pool');
});

after(async () => {
  await env?.close();
});

test('pooler_create writes a labelled Pooler with type, instances, pool mode and parameters', async () => {
  const out = await ok(env.alice, 'pooler_create', {
    name: 'pg-pool-pooler-rw',
    cluster: 'pg-pool',
    instances: 2,
    pool_mode: 'transaction',
    parameters: { max_client_conn: '500', default_pool_size: '20' },
  });
  assert.equal(out.pooler.type, 'rw');
  const pooler = await getCr(env, 'poolers', 'pg-pool-pooler-rw');
  assert.equal(pooler?.spec.cluster.name, 'pg-pool');
  assert.equal(pooler?.spec.instances, 2);
  assert.equal(pooler?.spec.pgbouncer.poolMode, 'transaction');
  assert.deepEqual(pooler?.spec.pgbouncer.parameters, { max_client_conn: '500', default_pool_size: '20' });
  assert.match(pooler?.metadata.labels['cnpg-mcp.io/created-by'], /^devstack-alice-[0-9a-f]{12}$/);
});

test('pooler_get and pooler_list show the status the operator reports', async () => {
  await env.kube.settle();
  const got = await ok(env.alice, 'pooler_get', { name: 'pg-pool-pooler-rw' });
  assert.equal(got.pooler.poolMode, 'transaction');
  assert.equal(got.pooler.readyInstances, 2);
  const list = await ok(env.alice, 'pooler_list', { cluster: 'pg-pool' });
  assert.deepEqual(
    list.poolers.map((p: { name: string }) => p.name),
    ['pg-pool-pooler-rw'],
  );
  const info = await ok(env.alice, 'cluster_connection_info', { name: 'pg-pool' });
  assert.ok(
    info.endpoints.some(
      (e: { service: string; purpose: string }) =>
        e.service === 'pg-pool-pooler-rw' && e.purpose === 'PgBouncer pooler (rw)',
    ),
    "info.endpoints.some((e: { service: string; purpose: string }) => e.service === 'pg-pool…",
  );
});

test('pooler_update and pooler_scale patch what they name; dry run writes nothing', async () => {
  await ok(env.alice, 'pooler_update', {
    name: 'pg-pool-pooler-rw',
    parameters: { default_pool_size: null },
    paused: true,
  });
  let pooler = await getCr(env, 'poolers', 'pg-pool-pooler-rw');
  assert.deepEqual(pooler?.spec.pgbouncer.parameters, { max_client_conn: '500' });
  assert.equal(pooler?.spec.pgbouncer.paused, true);
  const dry = await ok(env.alice, 'pooler_scale', { name: 'pg-pool-pooler-rw', instances: 4, dry_run: true });
  assert.equal(dry.object.spec.instances, 4);
  assert.equal((await getCr(env, 'poolers', 'pg-pool-pooler-rw'))?.spec.instances, 2);
  const scaled = await ok(env.alice, 'pooler_scale', { name: 'pg-pool-pooler-rw', instances: 3 });
  assert.equal(scaled.previousInstances, 2);
  pooler = await getCr(env, 'poolers', 'pg-pool-pooler-rw');
  assert.equal(pooler?.spec.instances, 3);
});

test('with wait, pooler_create returns once every PgBouncer pod is ready', async () => {
  const out = await ok(env.alice, 'pooler_create', {
    name: 'pg-pool-pooler-ro',
    cluster: 'pg-pool',
    type: 'ro',
    instances: 2,
    wait: true,
    wait_timeout_seconds: 30,
  });
  assert.equal(out.waited, true);
  assert.equal(out.pooler.readyInstances, 2);
  await ok(env.alice, 'pooler_delete', { name: 'pg-pool-pooler-ro', confirm: 'pg-pool-pooler-ro' });
});

test('bad input names the field and writes nothing', async () => {
  const before = await count(env, 'poolers');
  await fails(
    env.alice,
    'pooler_create',
    { name: 'p', cluster: 'pg-pool', pool_mode: 'statement' },
    /pool_mode/,
  );
  await fails(
    env.alice,
    'pooler_create',
    { name: 'p', cluster: 'pg-pool', parameters: { listen_port: '1' } },
    /parameters/,
  );
  await fails(env.alice, 'pooler_create', { name: 'p', cluster: 'pg-pool', instances: 99 }, /instances/);
  await fails(
    env.alice,
    'pooler_create',
    { name: 'pg-pool', cluster: 'pg-pool' },
    /rule names\): name: "pg-pool" is the name of a cluster/,
  );
  // The cluster's own Services: a pooler named like one would stand in for it (issue 12).
  for (const name of ['pg-pool-rw', 'pg-pool-ro', 'pg-pool-r']) {
    await fails(
      env.alice,
      'pooler_create',
      { name, cluster: 'pg-pool' },
      new RegExp(`rule names\\): name: "${name}" is the name of a Service of cluster pg-pool`),
    );
  }
  await fails(env.alice, 'pooler_update', { name: 'pg-pool-pooler-rw' }, /give pool_mode/);
  await fails(
    env.alice,
    'pooler_create',
    { name: 'p', cluster: 'pg-pool', pg_hba: ['host all all 0.0.0.0/0 trust\nhost all all all trust'] },
    /pg_hba/,
  );
  assert.equal(await count(env, 'poolers'), before);
});

test('not found, forbidden namespace, ownership, dry-run create', async () => {
  await fails(env.alice, 'pooler_get', { name: 'nope' }, /not found/);
  await fails(env.alice, 'pooler_create', { name: 'p', cluster: 'pg-none' }, /not found/);
  await fails(env.alice, 'pooler_list', { namespace: OTHER_NS }, /rule namespace/);
  await fails(env.bob, 'pooler_scale', { name: 'pg-pool-pooler-rw', instances: 1 }, /rule ownership/);
  await fails(env.bob, 'pooler_create', { name: 'p', cluster: 'pg-pool' }, /rule ownership/);
  const dry = await ok(env.alice, 'pooler_create', {
    name: 'pg-pool-pooler-ro',
    cluster: 'pg-pool',
    type: 'ro',
    dry_run: true,
  });
  assert.equal(dry.dryRun, true);
  assert.equal(await getCr(env, 'poolers', 'pg-pool-pooler-ro'), undefined);
});

test('pooler_delete needs confirmation', async () => {
  await fails(env.alice, 'pooler_delete', { name: 'pg-pool-pooler-rw', confirm: 'pg-pool' }, /confirm/);
  await ok(env.alice, 'pooler_delete', {
    name: 'pg-pool-pooler-rw',
    confirm: 'pg-pool-pooler-rw',
    dry_run: true,
  });
  assert.ok(
    await getCr(env, 'poolers', 'pg-pool-pooler-rw'),
    "await getCr(env, 'poolers', 'pg-pool-pooler-rw')",
  );
  await ok(env.alice, 'pooler_delete', { name: 'pg-pool-pooler-rw', confirm: 'pg-pool-pooler-rw' });
  assert.equal(await getCr(env, 'poolers', 'pg-pool-pooler-rw'), undefined);
});
