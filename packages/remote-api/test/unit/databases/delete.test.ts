import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseDelete } from '@cnpg-mcp/catalog';
import { databaseDeleteTool, planDatabaseDelete } from '../../../src/tools/databases/delete.js';
import { alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, database, described, NS, resolveFor } from '../roles/fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  databaseDelete.inputSchema.parse({ cluster: 'pg', name: 'shop', confirm: 'shop', ...input });

describe('planDatabaseDelete', () => {
  test('drop sets the reclaim policy to delete first; a delete policy drops anyway', () => {
    const retained = database('pg', 'shop', alice);
    assert.deepEqual(planDatabaseDelete(args({ drop: true }), retained, NS), {
      objectName: 'pg-shop',
      setReclaimDelete: true,
      dropped: true,
    });
    assert.deepEqual(planDatabaseDelete(args(), retained, NS), {
      objectName: 'pg-shop',
      setReclaimDelete: false,
      dropped: false,
    });
    const deleting = database('pg', 'shop', alice, { databaseReclaimPolicy: 'delete' });
    assert.deepEqual(planDatabaseDelete(args(), deleting, NS), {
      objectName: 'pg-shop',
      setReclaimDelete: false,
      dropped: true,
    });
  });

  test('refuses a wrong confirmation (first) and an undeclared database', () => {
    assert.throws(
      () => planDatabaseDelete(args({ confirm: 'x' }), undefined, NS),
      refusedWith('confirmation_required', /database name "shop"/),
    );
    assert.throws(
      () => planDatabaseDelete(args(), undefined, NS),
      refusedWith('not_found', /no Database object/),
    );
  });
});

describe('database_delete references', () => {
  test('the cluster used, the Database changed; bob is refused', async () => {
    const objects = [cluster('pg', alice), database('pg', 'shop', alice)];
    const resolved = await resolveFor(databaseDeleteTool.references, args(), objects);
    assert.deepEqual(described(resolved), ['use Cluster pg', 'change Database pg-shop']);
    await assert.rejects(
      resolveFor(databaseDeleteTool.references, args(), objects, { who: bob }),
      deniedBy('ownership', /Cluster team-a\/pg/),
    );
  });
});
