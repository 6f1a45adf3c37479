import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupOverviewOf, destinationSpec } from '../../../src/tools/backups/destination.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import { ToolFailure } from '../../../src/tools/context.js';

const PLUGIN = 'barman-cloud.cloudnative-pg.io';
const refused = (run: () => unknown, pattern: RegExp) =>
  assert.throws(run, (error: unknown) => error instanceof ToolFailure && pattern.test(error.message));

test('destinationSpec: the plugin as WAL archiver, other plugins kept, the snapshot class beside the backup settings', () => {
  const spec = {
    plugins: [
      { name: 'metrics.example.com' },
      { name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'old', serverName: 'x' } },
    ],
    backup: { retentionPolicy: '30d', volumeSnapshot: { online: false } },
  };
  assert.deepEqual(destinationSpec(spec, { object_store: 'shared', volume_snapshot_class: 'csi' }), {
    plugins: [
      { name: 'metrics.example.com' },
      { name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'shared' } },
    ],
    backup: { retentionPolicy: '30d', volumeSnapshot: { online: false, className: 'csi' } },
  });
  assert.deepEqual(destinationSpec({}, { volume_snapshot_class: 'csi' }), {
    backup: { volumeSnapshot: { className: 'csi' } },
  });
});

test('destinationSpec refuses what CloudNativePG would: a second WAL archiver, the in-tree store, nothing to set', () => {
  refused(
    () => destinationSpec({ plugins: [{ name: 'other.io', isWALArchiver: true }] }, { object_store: 's' }),
    /plugin other\.io already archives/,
  );
  refused(
    () =>
      destinationSpec(
        { backup: { barmanObjectStore: { destinationPath: 's3://x' } } },
        { object_store: 's' },
      ),
    /in-tree backup\.barmanObjectStore/,
  );
  refused(() => destinationSpec({}, {}), /give object_store, volume_snapshot_class or both/);
  refused(
    () => destinationSpec({}, { server_name: 'x', volume_snapshot_class: 'c' }),
    /server_name: only with/,
  );
});

test('backupOverviewOf: archiving condition, the store’s window for the server, last backup per method of this cluster', () => {
  const cluster: ClusterObject = {
    metadata: { name: 'pg', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { plugins: [{ name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'shared' } }] },
    status: {
      conditions: [
        {
          type: 'ContinuousArchiving',
          status: 'False',
          reason: 'ContinuousArchivingFailing',
          message: 'boom',
        },
      ],
    },
  };
  const backup = (name: string, method: string, stoppedAt: string) => ({
    metadata: { name },
    spec: { cluster: { name: 'pg' }, method },
    status: { phase: 'completed', stoppedAt },
  });
  const store = {
    metadata: { name: 'shared' },
    status: { serverRecoveryWindow: { pg: { firstRecoverabilityPoint: '2026-01-02T00:00:00Z' } } },
  };
  const overview = backupOverviewOf(
    cluster,
    [
      backup('old-life', 'plugin', '2025-12-01T00:00:00Z'),
      backup('a', 'plugin', '2026-01-02T00:00:00Z'),
      backup('b', 'plugin', '2026-01-03T00:00:00Z'),
      backup('s', 'volumeSnapshot', '2026-01-04T00:00:00Z'),
    ],
    store,
  );
  assert.deepEqual(overview.archiving, {
    configured: true,
    healthy: false,
    reason: 'ContinuousArchivingFailing',
    message: 'boom',
  });
  assert.equal(overview.firstRecoverabilityPoint, '2026-01-02T00:00:00Z');
  assert.equal(overview.lastRecoverabilityPoint, '', 'no last point while archiving fails');
  assert.deepEqual(overview.lastSuccessfulBackupByMethod, {
    plugin: '2026-01-03T00:00:00Z',
    volumeSnapshot: '2026-01-04T00:00:00Z',
  });
});
