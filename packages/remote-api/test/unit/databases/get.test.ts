import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseGet } from '@cnpg-mcp/catalog';
import { databaseGetTool, describeDatabase } from '../../../src/tools/databases/get.js';
import { alice, bob, deniedBy, refusedWith } from '../backups/fixtures.js';
import { cluster, database, described, NS, resolveFor } from '../roles/fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  databaseGet.inputSchema.parse({ cluster: 'pg', name: 'shop', ...input });

describe('describeDatabase', () => {
  test('summary, spec and the status of each extension and schema', () => {
    const shop = database('pg', 'shop', alice, { encoding: 'UTF8' });
    shop.status = {
      applied: true,
      extensions: [{ name: 'hstore', applied: true }],
      schemas: [{ name: 's', applied: false, message: 'no owner' }],
    };
    const { structured, text } = describeDatabase(args(), shop, NS);
    assert.equal(structured.database.applied, true);
    assert.equal(structured.database.createdBy, alice.userId);
    assert.deepEqual(structured.extensions, [{ name: 'hstore', applied: true, message: '' }]);
    assert.match(text, /Database shop on team-a\/pg \(object pg-shop\): applied/);
    assert.match(text, /encoding UTF8/);
    assert.match(text, /schema s: NOT applied: no owner/);
  });

  test('an undeclared database', () => {
    assert.throws(
      () => describeDatabase(args(), undefined, NS),
      refusedWith('not_found', /no Database object/),
    );
  });
});

describe('database_get references', () => {
  test('the cluster and the Database, read; with reads: owned bob is refused', async () => {
    const objects = [cluster('pg', alice), database('pg', 'shop', alice)];
    const resolved = await resolveFor(databaseGetTool.references, args(), objects);
    assert.deepEqual(described(resolved), ['read Cluster pg', 'read Database pg-shop']);
    await resolveFor(databaseGetTool.references, args(), objects, { who: bob });
    await assert.rejects(
      resolveFor(databaseGetTool.references, args(), objects, { who: bob, policy: { reads: 'owned' } }),
      deniedBy('reads'),
    );
  });
});
