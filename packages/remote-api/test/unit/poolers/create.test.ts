import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolerCreate } from '@cnpg-mcp/catalog';
import { planPoolerCreate, poolerCreateTool } from '../../../src/tools/poolers/create.js';
import { accessOf, admin, alice, bob, deniedBy, object } from '../backups/fixtures.js';

const args = (input: Record<string, unknown>) =>
  poolerCreate.inputSchema.parse({ name: 'orders-pool', cluster: 'orders', ...input });
const clusters = [object('Cluster', 'orders', alice), object('Cluster', 'billing', bob)];
const plan = (input: Record<string, unknown>, access = accessOf(alice)) =>
  planPoolerCreate(args(input), clusters, { access }, 'team-a');

describe('planPoolerCreate', () => {
  test('the Pooler: cluster, type, instances, pool mode, parameters, pg_hba, paused', () => {
    const { body, message } = plan({
      type: 'ro',
      instances: 2,
      pool_mode: 'transaction',
      parameters: { max_client_conn: '500' },
      pg_hba: ['host all all 10.0.0.0/8 scram-sha-256'],
      paused: true,
    });
    assert.deepEqual(body, {
      metadata: { name: 'orders-pool', labels: { 'cnpg.io/cluster': 'orders' } },
      spec: {
        cluster: { name: 'orders' },
        type: 'ro',
        instances: 2,
        pgbouncer: {
          poolMode: 'transaction',
          parameters: { max_client_conn: '500' },
          pg_hba: ['host all all 10.0.0.0/8 scram-sha-256'],
          paused: true,
        },
      },
    });
    assert.equal(
      message,
      'pooler team-a/orders-pool (ro, 2 instance(s), transaction) created for orders; connect to service orders-pool:5432',
    );
  });

  test('defaults leave out what was not given', () => {
    assert.deepEqual(plan({ parameters: {}, pg_hba: [] }).body.spec.pgbouncer, { poolMode: 'session' });
  });

  for (const [name, pattern] of [
    ['orders', /name: "orders" is the name of a cluster/],
    ['orders-rw', /name: "orders-rw" is the name of a Service of cluster orders/],
    ['orders-ro', /Service of cluster orders/],
    ['orders-r', /Service of cluster orders/],
    ['billing-rw', /Service of cluster billing \(its Services are billing-rw, billing-ro, billing-r\)/],
  ] as const) {
    test(`refuses the name ${name}: it would stand in for a cluster's own (rule names, admins too)`, () => {
      assert.throws(() => plan({ name }), deniedBy('names', pattern));
      assert.throws(() => plan({ name }, accessOf(admin)), deniedBy('names'));
    });
  }

  test('names that only look alike, or name no existing cluster, are free', () => {
    for (const name of ['orders-rw-pool', 'orders-pooler-rw', 'future-rw', 'orders-w', 'ordersrw']) {
      assert.equal(plan({ name }).body.metadata.name, name);
    }
  });

  for (const [what, input, key] of [
    ['auth_type trust', { parameters: { auth_type: 'trust' } }, 'poolerSettings.parameters'],
    ['auth_type any', { parameters: { auth_type: 'any' } }, 'poolerSettings.parameters'],
    ['server_check_query', { parameters: { server_check_query: 'select 1' } }, 'poolerSettings.parameters'],
    ['a trust pg_hba line', { pg_hba: ['host all all 0.0.0.0/0 trust'] }, 'poolerSettings.weakHbaMethods'],
  ] as const) {
    test(`${what} is admin-only by default; the refusal names ${key}`, () => {
      assert.throws(
        () => plan(input),
        deniedBy('poolerSettings', new RegExp(`policy key ${key.replace('.', '\\.')}`)),
      );
      assert.ok(plan(input, accessOf(admin)).body, 'plan(input, accessOf(admin)).body');
    });
  }

  test('the policy key opens a restricted setting to everyone; safe values are open anyway', () => {
    const open = accessOf(alice, { poolerSettings: { parameters: ['auth_type'], weakHbaMethods: true } });
    assert.ok(
      plan({ parameters: { auth_type: 'trust' } }, open),
      "plan({ parameters: { auth_type: 'trust' } }, open)",
    );
    assert.ok(
      plan({ pg_hba: ['host all all 0.0.0.0/0 trust'] }, open),
      "plan({ pg_hba: ['host all all 0.0.0.0/0 trust'] }, open)",
    );
    assert.ok(
      plan({ parameters: { auth_type: 'scram-sha-256' } }),
      "plan({ parameters: { auth_type: 'scram-sha-256' } })",
    );
  });

  test('declares its Cluster (use: owned, and the Pooler becomes its dependent) and the new Pooler', () => {
    assert.deepEqual(
      Object.values(poolerCreateTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['use Cluster', 'create Pooler'],
    );
  });
});
