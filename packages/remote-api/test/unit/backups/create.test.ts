import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupCreate } from '@cnpg-mcp/catalog';
import { backupCreateTool, backupName, planBackupCreate } from '../../../src/tools/backups/create.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import type { ToolFailure } from '../../../src/tools/context.js';
import { alice, backedUpCluster, object, PLUGIN, refusedWith } from './fixtures.js';

const args = (input: Record<string, unknown>) =>
  backupCreate.inputSchema.parse({ cluster: 'orders', ...input });
const cluster = backedUpCluster('orders', alice) as unknown as ClusterObject;

describe('planBackupCreate', () => {
  test('the method is detected from the cluster (its backup plugin first)', () => {
    const { method, body } = planBackupCreate(args({}), cluster, 'orders-1');
    assert.equal(method, 'plugin');
    assert.deepEqual(body, {
      metadata: { name: 'orders-1', labels: { 'cnpg.io/cluster': 'orders' } },
      spec: { cluster: { name: 'orders' }, method: 'plugin', pluginConfiguration: { name: PLUGIN } },
    });
  });

  test('a volume snapshot with online settings', () => {
    const { body } = planBackupCreate(
      args({ method: 'volumeSnapshot', online: true, immediate_checkpoint: true, target: 'primary' }),
      cluster,
      'orders-2',
    );
    assert.deepEqual(body.spec, {
      cluster: { name: 'orders' },
      method: 'volumeSnapshot',
      target: 'primary',
      online: true,
      onlineConfiguration: { immediateCheckpoint: true },
    });
  });

  const refusals: [string, Record<string, unknown>, ClusterObject, ToolFailure['kind'], RegExp][] = [
    [
      'a cluster without backup configuration',
      {},
      object('Cluster', 'plain', alice, { spec: {} }) as unknown as ClusterObject,
      'precondition',
      /cluster plain has no backup configuration/,
    ],
    [
      'a method the cluster is not configured for',
      { method: 'barmanObjectStore' },
      cluster,
      'invalid_input',
      /method: cluster orders is not configured for barmanObjectStore backups \(configured: plugin, volumeSnapshot\)/,
    ],
    [
      'plugin settings with another method',
      { method: 'volumeSnapshot', plugin_name: PLUGIN },
      cluster,
      'invalid_input',
      /plugin_name/,
    ],
  ];
  for (const [what, input, target, kind, message] of refusals) {
    test(`refuses ${what}`, () => {
      assert.throws(() => planBackupCreate(args(input), target, 'x'), refusedWith(kind, message));
    });
  }
});

describe('backup_create references', () => {
  test('its Cluster (use) and the new Backup (create), named once per call', () => {
    const refs = backupCreateTool.references;
    assert.deepEqual(
      Object.values(refs).map((r) => `${r.intent} ${r.kind}`),
      ['use Cluster', 'create Backup'],
    );
    const input = args({});
    const first = backupName(input, new Date('2026-08-21T10:15:00Z'));
    assert.equal(first, 'orders-20260821101500');
    assert.equal(
      backupName(input, new Date('2026-08-21T10:15:01Z')),
      first,
      'the generated name is fixed for the call',
    );
    assert.equal(backupName(args({ name: 'mine' })), 'mine');
  });
});
