import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupDelete } from '@cnpg-mcp/catalog';
import { backupDeleteTool, planBackupDelete } from '../../../src/tools/backups/delete.js';
import { refusedWith } from './fixtures.js';

const args = (confirm: string) => backupDelete.inputSchema.parse({ name: 'orders-1', confirm });

describe('backup_delete', () => {
  test('needs confirm to repeat the name', () => {
    assert.throws(
      () => planBackupDelete(args('orders-2'), 'team-a'),
      refusedWith('confirmation_required', /"orders-1" \(got "orders-2"\)/),
    );
    assert.match(planBackupDelete(args('orders-1'), 'team-a').message, /^backup team-a\/orders-1 deleted/);
  });

  test('the Backup is declared as changed (ownership checked before the delete)', () => {
    assert.deepEqual(
      Object.values(backupDeleteTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change Backup'],
    );
  });
});
