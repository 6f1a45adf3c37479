// Emulator-only: fault injection is an emulator control.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';
import { expectStatus } from '../support/kube-support.js';

describe('emulator fault injection', () => {
  let kube: KubeEmulator;
  let core: k8s.CoreV1Api;
  before(async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps'] });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => {
    await kube.close();
  });

  test('429 with Retry-After on a chosen route, for a number of requests', async () => {
    kube.faults.add({
      method: 'GET',
      path: '/api/v1/namespaces/apps/configmaps',
      status: 429,
      retryAfterSeconds: 7,
      times: 1,
    });
    try {
      await core.listNamespacedConfigMap({ namespace: 'apps' });
      assert.fail('expected 429');
    } catch (err) {
      const e = err as { code: number; headers: Record<string, string>; body: string };
      assert.equal(e.code, 429);
      assert.equal(e.headers['retry-after'], '7');
      const body = JSON.parse(e.body) as { reason: string; details: { retryAfterSeconds: number } };
      assert.equal(body.reason, 'TooManyRequests');
      assert.equal(body.details.retryAfterSeconds, 7);
    }
    const ok = await core.listNamespacedConfigMap({ namespace: 'apps' });
    assert.ok(Array.isArray(ok.items), 'Array.isArray(ok.items)');
    const other = await core.listNamespacedSecret({ namespace: 'apps' });
    assert.ok(Array.isArray(other.items), 'Array.isArray(other.items)');
  });

  test('5xx answers carry Status bodies', async () => {
    const id = kube.faults.add({ path: /\/secrets$/, status: 503 });
    const body = await expectStatus(core.listNamespacedSecret({ namespace: 'apps' }), 503);
    assert.equal(body.reason, 'ServiceUnavailable');
    kube.faults.remove(id);
    kube.faults.add({ path: '/secrets', status: 500, times: 1 });
    const internal = await expectStatus(core.listNamespacedSecret({ namespace: 'apps' }), 500);
    assert.equal(internal.reason, 'InternalError');
    assert.deepEqual(kube.faults.list(), []);
  });

  test('latency delays the answer', async () => {
    kube.faults.add({ path: '/api/v1/namespaces/apps/services', latencyMs: 150, times: 1 });
    const started = Date.now();
    await core.listNamespacedService({ namespace: 'apps' });
    assert.ok(Date.now() - started >= 140, 'Date.now() - started >= 140');
  });

  test('a dropped connection surfaces as a network error, not an API error', async () => {
    kube.faults.add({ path: '/api/v1/namespaces/apps/pods', drop: true, times: 1 });
    await assert.rejects(
      core.listNamespacedPod({ namespace: 'apps' }),
      (err: { code?: unknown }) => typeof err.code !== 'number',
    );
    const after = await core.listNamespacedPod({ namespace: 'apps' });
    assert.ok(Array.isArray(after.items), 'Array.isArray(after.items)');
  });
});
