import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planSuspension } from '../../../src/tools/backups/schedule-suspension.js';
import { scheduledBackupResumeTool } from '../../../src/tools/backups/scheduled-backup-resume.js';

describe('scheduled_backup_resume', () => {
  test('patches spec.suspend to false', () => {
    assert.deepEqual(planSuspension(false, 'team-a', 'nightly'), {
      patch: { spec: { suspend: false } },
      action: 'resumed',
      message: 'scheduled backup team-a/nightly resumed',
    });
  });

  test('declares the ScheduledBackup as changed', () => {
    assert.deepEqual(
      Object.values(scheduledBackupResumeTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['change ScheduledBackup'],
    );
  });
});
