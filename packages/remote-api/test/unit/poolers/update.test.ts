import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolerUpdate } from '@cnpg-mcp/catalog';
import { planPoolerUpdate, poolerUpdateTool } from '../../../src/tools/poolers/update.js';
import { accessOf, admin, alice, deniedBy, object, refusedWith } from '../backups/fixtures.js';

const args = (input: Record<string, unknown>) =>
  poolerUpdate.inputSchema.parse({ name: 'orders-pool', ...input });
const plan = (input: Record<string, unknown>, access = accessOf(alice)) =>
  planPoolerUpdate(args(input), { access }, 'team-a');

describe('planPoolerUpdate', () => {
  test('a merge patch of spec.pgbouncer with what was given; null removes a parameter', () => {
    const { patch, message } = plan({
      pool_mode: 'transaction',
      parameters: { default_pool_size: null, max_client_conn: '100' },
      paused: false,
    });
    assert.deepEqual(patch, {
      spec: {
        pgbouncer: {
          poolMode: 'transaction',
          parameters: { default_pool_size: null, max_client_conn: '100' },
          paused: false,
        },
      },
    });
    assert.equal(message, 'pooler team-a/orders-pool updated: poolMode, parameters, paused');
  });

  test('pg_hba replaces the lines; an empty list removes them', () => {
    assert.deepEqual(plan({ pg_hba: ['host all all 10.0.0.0/8 scram-sha-256'] }).patch.spec.pgbouncer, {
      pg_hba: ['host all all 10.0.0.0/8 scram-sha-256'],
    });
    assert.deepEqual(plan({ pg_hba: [] }).patch.spec.pgbouncer, { pg_hba: null });
  });

  test('nothing to change is refused', () => {
    assert.throws(
      () => plan({}),
      refusedWith('invalid_input', /give pool_mode, parameters, pg_hba or paused/),
    );
    assert.throws(() => plan({ parameters: {} }), refusedWith('invalid_input', /give pool_mode/));
  });

  for (const [what, input, key] of [
    ['auth_type trust', { parameters: { auth_type: 'trust' } }, 'poolerSettings.parameters'],
    ['server_check_query', { parameters: { server_check_query: 'select 1' } }, 'poolerSettings.parameters'],
    ['a trust pg_hba line', { pg_hba: ['host all all 0.0.0.0/0 trust'] }, 'poolerSettings.weakHbaMethods'],
  ] as const) {
    test(`cannot set ${what} unless admin; the refusal names ${key}`, () => {
      assert.throws(() => plan(input), deniedBy('poolerSettings', new RegExp(key.replace('.', '\\.'))));
      assert.ok(plan(input, accessOf(admin)).patch, 'plan(input, accessOf(admin)).patch');
    });
  }

  test('removing a restricted parameter is always allowed', () => {
    assert.deepEqual(
      plan({ parameters: { auth_type: null, server_check_query: null } }).patch.spec.pgbouncer,
      {
        parameters: { auth_type: null, server_check_query: null },
      },
    );
  });

  test('declares the Pooler (change) and the cluster it serves, named by the pooler (use)', async () => {
    const refs = Object.values(poolerUpdateTool.references);
    assert.deepEqual(
      refs.map((r) => `${r.intent} ${r.kind}${r.optional ? ' (optional)' : ''}`),
      ['change Pooler', 'use Cluster (optional)'],
    );
    const pooler = object('Pooler', 'orders-pool', alice, { spec: { cluster: { name: 'orders' } } });
    const kube = undefined as never;
    assert.equal(await refs[1]?.name(args({ paused: true }), { pooler }, kube), 'orders');
    assert.equal(await refs[1]?.name(args({ paused: true }), {}, kube), undefined);
  });
});
