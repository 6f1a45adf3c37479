import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planSuspension } from '../../../src/tools/backups/schedule-suspension.js';
import { scheduledBackupSuspendTool } from '../../../src/tools/backups/scheduled-backup-suspend.js';

describe('scheduled_backup_suspend', () => {
  test('patches spec.suspend to true', () => {
    assert.deepEqual(planSuspension(true, 'team-a', 'nightly'), {
      patch: { spec: { suspend: true } },
      action: 'suspended',
      message: 'scheduled backup team-a/nightly suspended',
    });
  });

  test('declares the ScheduledBackup as changed', () => {
    assert.deepEqual(
      Object.values(scheduledBackupSuspendTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change ScheduledBackup'],
    );
  });
});
