// Emulator-only: the operator's background status writes, made to race clients' conditional writes
// at a chosen rate (conflictRate), give the 409 Conflicts a real cluster gives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';
import { clusterManifest, expectStatus } from '../support/kube-support.js';

const CNPG = { group: 'postgresql.cnpg.io', version: 'v1', namespace: 'apps', plural: 'clusters' };
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

describe('background status writes race conditional writes', () => {
  let kube: KubeEmulator;
  let custom: k8s.CustomObjectsApi;
  let core: k8s.CoreV1Api;
  before(async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps'], conflictRate: 1 });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await custom.createNamespacedCustomObject({ ...CNPG, body: clusterManifest('pg-busy') });
    await kube.settle();
  });
  after(async () => {
    await kube.close();
  });

  type Cluster = { metadata: { resourceVersion: string }; spec: Record<string, unknown>; status?: unknown };
  const read = async () => (await custom.getNamespacedCustomObject({ ...CNPG, name: 'pg-busy' })) as Cluster;

  test('a PUT or a merge patch carrying the resourceVersion just read gets 409; the status is as it was', async () => {
    const seen = await read();
    const put = await expectStatus(
      custom.replaceNamespacedCustomObject({
        ...CNPG,
        name: 'pg-busy',
        body: { ...seen, spec: { ...seen.spec, instances: 2 } },
      }),
      409,
    );
    assert.match(
      put.message,
      /the object has been modified; please apply your changes to the latest version/,
    );
    const again = await read();
    await expectStatus(
      custom.patchNamespacedCustomObject(
        {
          ...CNPG,
          name: 'pg-busy',
          body: { metadata: { resourceVersion: again.metadata.resourceVersion }, spec: { instances: 2 } },
        },
        merge,
      ),
      409,
    );
    const after = await read();
    assert.notEqual(after.metadata.resourceVersion, seen.metadata.resourceVersion);
    assert.deepEqual(after.status, seen.status);
    assert.equal(after.spec.instances, 1, 'nothing was written');
  });

  test('unconditional writes and other kinds are not raced', async () => {
    await custom.patchNamespacedCustomObject(
      { ...CNPG, name: 'pg-busy', body: { metadata: { labels: { team: 'a' } } } },
      merge,
    );
    const cm = await core.createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'c' } } });
    await core.replaceNamespacedConfigMap({
      namespace: 'apps',
      name: 'c',
      body: { ...cm, data: { a: 'b' } },
    });
    assert.equal((await read()).metadata.resourceVersion !== undefined, true);
  });
});
