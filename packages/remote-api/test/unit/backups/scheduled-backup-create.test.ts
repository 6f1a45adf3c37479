import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scheduledBackupCreate } from '@cnpg-mcp/catalog';
import {
  planScheduledBackupCreate,
  scheduledBackupCreateTool,
} from '../../../src/tools/backups/scheduled-backup-create.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import { alice, backedUpCluster, object, PLUGIN, refusedWith } from './fixtures.js';

const args = (input: Record<string, unknown>) =>
  scheduledBackupCreate.inputSchema.parse({
    cluster: 'orders',
    name: 'nightly',
    schedule: '0 0 2 * * *',
    ...input,
  });
const cluster = backedUpCluster('orders', alice) as unknown as ClusterObject;

describe('planScheduledBackupCreate', () => {
  test('the schedule, its method from the cluster, suspend/immediate/owner settings', () => {
    const { body, message } = planScheduledBackupCreate(
      args({ suspend: true, backup_owner_reference: 'self' }),
      cluster,
      'team-a',
    );
    assert.deepEqual(body, {
      metadata: { name: 'nightly', labels: { 'cnpg.io/cluster': 'orders' } },
      spec: {
        cluster: { name: 'orders' },
        method: 'plugin',
        pluginConfiguration: { name: PLUGIN },
        schedule: '0 0 2 * * *',
        immediate: false,
        suspend: true,
        backupOwnerReference: 'self',
      },
    });
    assert.equal(
      message,
      'scheduled backup nightly of team-a/orders created: "0 0 2 * * *" (plugin), suspended',
    );
  });

  test('refuses a cluster without backup configuration', () => {
    const plain = object('Cluster', 'plain', alice, { spec: {} }) as unknown as ClusterObject;
    assert.throws(
      () => planScheduledBackupCreate(args({ cluster: 'plain' }), plain, 'team-a'),
      refusedWith('precondition', /no backup configuration/),
    );
  });

  test('declares its Cluster (use, so the writer makes the schedule its dependent) and the new ScheduledBackup', () => {
    assert.deepEqual(
      Object.values(scheduledBackupCreateTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['use Cluster', 'create ScheduledBackup'],
    );
  });
});
