// Emulator-only: advanceTime() moves the emulator's clock so schedules fire without waiting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';

const base = { group: 'postgresql.cnpg.io', version: 'v1', namespace: 'apps' };
type Obj = { metadata: k8s.V1ObjectMeta; status?: Record<string, unknown> };

describe('time-compressed ScheduledBackups', () => {
  let kube: KubeEmulator;
  let custom: k8s.CustomObjectsApi;
  before(async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps'] });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...base,
      plural: 'clusters',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'pg' },
        spec: { instances: 1, storage: { size: '1Gi' }, backup: { volumeSnapshot: { className: 'snap' } } },
      },
    });
    await kube.settle();
  });
  after(async () => {
    await kube.close();
  });

  const backups = async () =>
    (
      (await custom.listNamespacedCustomObject({
        ...base,
        plural: 'backups',
        labelSelector: 'cnpg.io/scheduled-backup=daily',
      })) as {
        items: Obj[];
      }
    ).items;

  test('a daily schedule fires once per emulated day, naming backups after the scheduled time', async () => {
    await custom.createNamespacedCustomObject({
      ...base,
      plural: 'scheduledbackups',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: { name: 'daily' },
        spec: { schedule: '0 0 0 * * *', cluster: { name: 'pg' }, method: 'volumeSnapshot' },
      },
    });
    await kube.settle();
    assert.equal((await backups()).length, 0);
    const sb = (await custom.getNamespacedCustomObject({
      ...base,
      plural: 'scheduledbackups',
      name: 'daily',
    })) as Obj;
    const next = String(sb.status?.nextScheduleTime);
    assert.match(next, /T00:00:00Z$/);

    await kube.advanceTime(24 * 3600 * 1000);
    const first = await backups();
    assert.equal(first.length, 1);
    const expectedName = `daily-${next.replace(/[-:TZ]/g, '')}`;
    assert.equal(first[0]?.metadata.name, expectedName);
    assert.equal(first[0]?.metadata.labels?.['cnpg.io/immediateBackup'], 'false');
    assert.equal(first[0]?.status?.phase, 'completed');

    await kube.advanceTime(24 * 3600 * 1000);
    assert.equal((await backups()).length, 2);
    // The scheduled backup controller's events, worded as CNPG's (a Go time).
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const events = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: 'apps' });
    const messages = events.items.filter((e) => e.involvedObject.name === 'daily').map((e) => e.message);
    const day = next.slice(0, 10);
    assert.ok(messages.includes(`Scheduled first backup by ${day} 00:00:00 +0000 UTC`), messages.join('; '));
    assert.ok(
      messages.some((m) => /^Next backup scheduled by \d{4}-\d{2}-\d{2} 00:00:00 \+0000 UTC$/.test(m ?? '')),
      'messages.some((m) => /^Next backup scheduled by \\d{4}-\\d{2}-\\d{2} 00:00:00 \\+0000 UTC$/…',
    );
  });

  test('a suspended schedule creates nothing', async () => {
    await custom.patchNamespacedCustomObject(
      { ...base, plural: 'scheduledbackups', name: 'daily', body: { spec: { suspend: true } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const before = (await backups()).length;
    await kube.advanceTime(3 * 24 * 3600 * 1000);
    assert.equal((await backups()).length, before);
  });
});
