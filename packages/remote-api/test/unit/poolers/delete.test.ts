import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolerDelete } from '@cnpg-mcp/catalog';
import { planPoolerDelete, poolerDeleteTool } from '../../../src/tools/poolers/delete.js';
import { refusedWith } from '../backups/fixtures.js';

const args = (confirm: string) => poolerDelete.inputSchema.parse({ name: 'orders-pool', confirm });

describe('pooler_delete', () => {
  test('needs confirm to repeat the name', () => {
    assert.throws(
      () => planPoolerDelete(args('orders'), 'team-a'),
      refusedWith('confirmation_required', /"orders-pool" \(got "orders"\)/),
    );
    assert.equal(
      planPoolerDelete(args('orders-pool'), 'team-a').message,
      'pooler team-a/orders-pool deleted with its pods and service',
    );
  });

  test('the Pooler is declared as changed (ownership checked before the delete)', () => {
    assert.deepEqual(
      Object.values(poolerDeleteTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change Pooler'],
    );
  });
});
