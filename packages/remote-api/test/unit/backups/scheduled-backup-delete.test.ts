import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scheduledBackupDelete } from '@cnpg-mcp/catalog';
import {
  planScheduledBackupDelete,
  scheduledBackupDeleteTool,
} from '../../../src/tools/backups/scheduled-backup-delete.js';
import { refusedWith } from './fixtures.js';

const args = (confirm: string) => scheduledBackupDelete.inputSchema.parse({ name: 'nightly', confirm });

describe('scheduled_backup_delete', () => {
  test('needs confirm to repeat the name', () => {
    assert.throws(
      () => planScheduledBackupDelete(args('daily'), 'team-a'),
      refusedWith('confirmation_required', /scheduled backup name "nightly"/),
    );
    assert.match(
      planScheduledBackupDelete(args('nightly'), 'team-a').message,
      /^scheduled backup team-a\/nightly deleted/,
    );
  });

  test('declares the ScheduledBackup as changed', () => {
    assert.deepEqual(
      Object.values(scheduledBackupDeleteTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change ScheduledBackup'],
    );
  });
});
