import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupGetTool, describeBackupGet } from '../../../src/tools/backups/get.js';
import { alice, object } from './fixtures.js';

const backup = object('Backup', 'orders-1', alice, {
  spec: { cluster: { name: 'orders' }, method: 'plugin' },
  status: {
    phase: 'completed',
    beginLSN: '0/2000028',
    endLSN: '0/3000060',
    destinationPath: 's3://bucket/orders',
    beginWal: '000000010000000000000002',
  },
});

describe('backup_get', () => {
  test('concise: summary, WAL range and destination; no raw status', () => {
    const { structured, text } = describeBackupGet(backup, 'concise');
    assert.equal(structured.backup.phase, 'completed');
    assert.equal(structured.destinationPath, 's3://bucket/orders');
    assert.equal(structured.beginWal, '000000010000000000000002');
    assert.equal(structured.endWal, '');
    assert.equal('status' in structured, false);
    assert.match(text, /^Backup orders-1 {2}orders {2}plugin {2}completed/);
    assert.match(text, /LSN 0\/2000028 → 0\/3000060/);
  });

  test('detailed adds the raw status', () => {
    assert.deepEqual(describeBackupGet(backup, 'detailed').structured.status, backup.status);
  });

  test('the Backup is declared as a read (the policy’s reads rule applies)', () => {
    assert.deepEqual(
      Object.values(backupGetTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['read Backup'],
    );
  });
});
