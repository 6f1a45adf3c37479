import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { publicationCreate } from '@cnpg-mcp/catalog';
import {
  planPublicationCreate,
  publicationCreateTool,
} from '../../../src/tools/logical/publication-create.js';
import { refusedWith } from '../backups/fixtures.js';
import { logical } from './fixtures.js';

const args = (input: Record<string, unknown>) =>
  publicationCreate.inputSchema.parse({ cluster: 'orders', name: 'sales_pub', database: 'app', ...input });

describe('planPublicationCreate', () => {
  test('listed tables and schemas, named <cluster>-<name>', () => {
    const { objectName, body, message } = planPublicationCreate(
      args({
        tables: [{ name: 'orders', only: true }],
        schemas: ['sales'],
        parameters: { publish: 'insert' },
      }),
      [],
      'team-a',
    );
    assert.equal(objectName, 'orders-sales-pub');
    assert.deepEqual(body, {
      metadata: { name: 'orders-sales-pub', labels: { 'cnpg.io/cluster': 'orders' } },
      spec: {
        cluster: { name: 'orders' },
        name: 'sales_pub',
        dbname: 'app',
        target: {
          objects: [{ table: { schema: 'public', name: 'orders', only: true } }, { tablesInSchema: 'sales' }],
        },
        parameters: { publish: 'insert' },
        publicationReclaimPolicy: 'retain',
      },
    });
    assert.equal(
      message,
      'publication sales_pub in orders/app declared as orders-sales-pub (2 table(s)/schema(s))',
    );
  });

  test('a column list is kept with its table', () => {
    const { body } = planPublicationCreate(
      args({ tables: [{ schema: 'sales', name: 'orders', columns: ['id', 'total'] }] }),
      [],
      'team-a',
    );
    assert.deepEqual(body.spec.target, {
      objects: [{ table: { schema: 'sales', name: 'orders', columns: ['id', 'total'] } }],
    });
  });

  test('a column list together with whole schemas is refused, as CloudNativePG’s CEL rule on spec.target.objects does', () => {
    assert.throws(
      () =>
        planPublicationCreate(
          args({ tables: [{ name: 'orders' }, { name: 'items', columns: ['id'] }], schemas: ['sales'] }),
          [],
          'team-a',
        ),
      refusedWith(
        'invalid_input',
        /^tables\[1\]\.columns, schemas: a column list cannot be combined with whole schemas .*separate publications/,
      ),
    );
  });

  test('all tables', () => {
    const { body } = planPublicationCreate(
      args({ all_tables: true, reclaim_policy: 'delete' }),
      [],
      'team-a',
    );
    assert.deepEqual(body.spec.target, { allTables: true });
    assert.equal(body.spec.publicationReclaimPolicy, 'delete');
  });

  test('all_tables and a list, or neither, is refused', () => {
    for (const input of [{}, { all_tables: true, schemas: ['x'] }]) {
      assert.throws(
        () => planPublicationCreate(args(input), [], 'team-a'),
        refusedWith('invalid_input', /all_tables, tables, schemas: .*not both/),
      );
    }
  });

  test('a publication of that name already declared on the cluster is refused; another cluster’s is not in the way', () => {
    const existing = [logical('Publication', 'sales-1', 'orders', 'sales_pub')];
    assert.throws(
      () => planPublicationCreate(args({ all_tables: true }), existing, 'team-a'),
      refusedWith('precondition', /publication "sales_pub" is already declared on team-a\/orders by sales-1/),
    );
    const elsewhere = [logical('Publication', 'billing-sales-pub', 'billing', 'sales_pub')];
    assert.ok(
      planPublicationCreate(args({ all_tables: true }), elsewhere, 'team-a'),
      "planPublicationCreate(args({ all_tables: true }), elsewhere, 'team-a')",
    );
  });

  test('declares its Cluster (use: owned, and the Publication becomes its dependent) and the new Publication', () => {
    assert.deepEqual(
      Object.values(publicationCreateTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['use Cluster', 'create Publication'],
    );
  });
});
