import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupWaitResult } from '../../../src/tools/backups/follow-backup.js';
import { backupWaitTool } from '../../../src/tools/backups/wait.js';

describe('backup_wait', () => {
  const cases = [
    ['done', 'completed', 'completed'],
    ['done', 'failed', 'failed'],
    ['done', 'walArchivingFailing', 'failed'],
    ['timeout', 'running', 'timeout'],
    ['cancelled', 'pending', 'cancelled'],
  ] as const;
  for (const [outcome, phase, result] of cases) {
    test(`${outcome} at ${phase} → ${result}`, () => {
      assert.equal(backupWaitResult(outcome, phase), result);
    });
  }

  test('the Backup is declared as a read', () => {
    assert.deepEqual(
      Object.values(backupWaitTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['read Backup'],
    );
  });
});
