import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import { lastSuccessfulBackup } from '../../../src/tools/cluster/status.js';
import type { CnpgObject } from '../../../src/tools/common/objects.js';

const cluster = (status: ClusterObject['status'] = {}): ClusterObject => ({
  metadata: { name: 'orders', namespace: 'team-a', creationTimestamp: '2026-11-01T00:00:00Z' },
  status,
});
const backup = (name: string, phase: string, stoppedAt: string, of = 'orders'): CnpgObject => ({
  metadata: { name },
  spec: { cluster: { name: of }, method: 'plugin' },
  status: { phase, stoppedAt },
});

describe('lastSuccessfulBackup', () => {
  test('plugin backups, which CloudNativePG does not record on the Cluster, count by their Backup objects', () => {
    const backups = [
      backup('orders-1', 'completed', '2026-11-02T10:00:00Z'),
      backup('orders-2', 'completed', '2026-11-03T10:00:00Z'),
      backup('orders-3', 'failed', '2026-11-04T10:00:00Z'),
      backup('orders-4', 'running', ''),
      backup('billing-1', 'completed', '2026-11-05T10:00:00Z', 'billing'),
    ];
    assert.deepEqual(lastSuccessfulBackup(cluster(), backups), {
      at: '2026-11-03T10:00:00Z',
      backup: 'orders-2',
    });
  });

  test('status.lastSuccessfulBackup (in-tree backups) counts when it is newer', () => {
    const status = { lastSuccessfulBackup: '2026-11-06T00:00:00Z' };
    assert.deepEqual(
      lastSuccessfulBackup(cluster(status), [backup('orders-1', 'completed', '2026-11-02T10:00:00Z')]),
      {
        at: '2026-11-06T00:00:00Z',
        backup: '',
      },
    );
  });

  test('a Backup that ended before the cluster existed belonged to an earlier cluster of that name', () => {
    assert.deepEqual(
      lastSuccessfulBackup(cluster(), [backup('orders-old', 'completed', '2026-10-01T00:00:00Z')]),
      {
        at: '',
        backup: '',
      },
    );
  });
});
