import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseUpdate } from '@cnpg-mcp/catalog';
import {
  databasePatch,
  databaseUpdateTool,
  planDatabaseUpdate,
} from '../../../src/tools/databases/update.js';
import { accessOf, alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, database, described, NS, resolveFor } from '../roles/fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  databaseUpdate.inputSchema.parse({ cluster: 'pg', name: 'shop', ...input });
const shop = database('pg', 'shop', alice, {
  extensions: [{ name: 'pg_stat_statements', ensure: 'present' }],
  schemas: [{ name: 'staging', ensure: 'present' }],
});
shop.metadata.resourceVersion = '7';

describe('planDatabaseUpdate and databasePatch', () => {
  test('scalar settings, and extensions and schemas merged by name, conditional on the version read', () => {
    const input = args({
      connection_limit: 50,
      extensions: [
        { name: 'pg_stat_statements', ensure: 'absent' },
        { name: 'hstore', schema: 'public' },
      ],
      schemas: [{ name: 'archive' }],
    });
    const plan = planDatabaseUpdate(input, shop, NS, accessOf(alice));
    assert.deepEqual(plan.changed, ['connectionLimit', 'extensions', 'schemas']);
    assert.deepEqual(databasePatch(input, plan.scalar, shop), {
      metadata: { resourceVersion: '7' },
      spec: {
        connectionLimit: 50,
        extensions: [
          { name: 'pg_stat_statements', ensure: 'absent' },
          { name: 'hstore', ensure: 'present', schema: 'public' },
        ],
        schemas: [
          { name: 'staging', ensure: 'present' },
          { name: 'archive', ensure: 'present' },
        ],
      },
    });
  });

  test('adding an untrusted extension is refused; dropping one is not', () => {
    assert.throws(
      () => planDatabaseUpdate(args({ extensions: [{ name: 'dblink' }] }), shop, NS, accessOf(alice)),
      deniedBy('extensions', /only an admin may create the extension dblink/),
    );
    planDatabaseUpdate(
      args({ extensions: [{ name: 'dblink', ensure: 'absent' }] }),
      shop,
      NS,
      accessOf(alice),
    );
  });

  test('refuses nothing to change, duplicates, and an undeclared database', () => {
    assert.throws(
      () => planDatabaseUpdate(args(), shop, NS, accessOf(alice)),
      refusedWith('invalid_input', /give at least one thing/),
    );
    assert.throws(
      () => planDatabaseUpdate(args({ schemas: [{ name: 'a' }, { name: 'a' }] }), shop, NS, accessOf(alice)),
      refusedWith('invalid_input', /schemas\.1\.name/),
    );
    assert.throws(
      () => planDatabaseUpdate(args({ owner: 'x' }), undefined, NS, accessOf(alice)),
      refusedWith('not_found', /no Database object declares database "shop" on cluster team-a\/pg/),
    );
  });
});

describe('database_update references', () => {
  test('the cluster used and the Database that declares the database changed (found by its spec)', async () => {
    const renamed = database('pg', 'shop', alice);
    renamed.metadata.name = 'made-by-hand';
    const resolved = await resolveFor(databaseUpdateTool.references, args({ owner: 'x' }), [
      cluster('pg', alice),
      renamed,
      database('other', 'shop', alice),
    ]);
    assert.deepEqual(described(resolved), ['use Cluster pg', 'change Database made-by-hand']);
  });

  test('bob cannot change alice’s database; alice cannot change bob’s Database on her cluster', async () => {
    await assert.rejects(
      resolveFor(databaseUpdateTool.references, args({ owner: 'x' }), [cluster('pg', alice), shop], {
        who: bob,
      }),
      deniedBy('ownership', /Cluster team-a\/pg/),
    );
    await assert.rejects(
      resolveFor(databaseUpdateTool.references, args({ owner: 'x' }), [
        cluster('pg', alice),
        database('pg', 'shop', bob),
      ]),
      deniedBy('ownership', /Database team-a\/pg-shop\) was created by bob-/),
    );
  });
});
