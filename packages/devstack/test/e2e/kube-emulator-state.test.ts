// Emulator-only: a state file keeps every object across restarts (what `npm start` uses).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';
import { clusterManifest } from '../support/kube-support.js';

const CNPG = { group: 'postgresql.cnpg.io', version: 'v1', namespace: 'apps', plural: 'clusters' };
type Cluster = { metadata: { uid: string; resourceVersion: string }; status?: { phase?: string } };

describe('the emulator keeps its objects in a state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-state-'));
  const stateFile = join(dir, 'kube-state.json');
  let kube: KubeEmulator | undefined;
  const start = async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps'], stateFile });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    return { kube, custom: kc.makeApiClient(k8s.CustomObjectsApi), core: kc.makeApiClient(k8s.CoreV1Api) };
  };
  after(async () => {
    await kube?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a cluster made before a restart is there after it, as it was; the operator carries on', async () => {
    const first = await start();
    await first.custom.createNamespacedCustomObject({
      ...CNPG,
      body: clusterManifest('pg-kept', { instances: 2 }),
    });
    await first.kube.settle();
    const before = (await first.custom.getNamespacedCustomObject({ ...CNPG, name: 'pg-kept' })) as Cluster;
    assert.equal(before.status?.phase, 'Cluster in healthy state');
    await first.kube.close();

    const second = await start();
    const afterRestart = (await second.custom.getNamespacedCustomObject({
      ...CNPG,
      name: 'pg-kept',
    })) as Cluster;
    assert.equal(afterRestart.metadata.uid, before.metadata.uid);
    assert.equal(afterRestart.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(afterRestart.status?.phase, 'Cluster in healthy state');
    const pods = await second.core.listNamespacedPod({
      namespace: 'apps',
      labelSelector: 'cnpg.io/cluster=pg-kept',
    });
    assert.equal(pods.items.length, 2);
    // Still reconciled: scaling works, and new writes get newer resourceVersions.
    await second.custom.patchNamespacedCustomObject(
      { ...CNPG, name: 'pg-kept', body: { spec: { instances: 3 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await second.kube.settle();
    const scaled = (await second.custom.getNamespacedCustomObject({
      ...CNPG,
      name: 'pg-kept',
    })) as Cluster & {
      status: { readyInstances: number };
    };
    assert.equal(scaled.status.readyInstances, 3);
    assert.ok(
      Number(scaled.metadata.resourceVersion) > Number(before.metadata.resourceVersion),
      'Number(scaled.metadata.resourceVersion) > Number(before.metadata.resourceVersion)',
    );
  });
});
