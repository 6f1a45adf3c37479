/**
 * Optimistic concurrency on a built-in resource (ConfigMap), as kube-apiserver does it: a write
 * carrying a stale metadata.resourceVersion is refused with 409 Conflict and changes nothing;
 * ConfigMaps allow an unconditional PUT (no resourceVersion); of many writers that read the same
 * version, exactly one wins. The quota ledger of the remote API relies on all of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import {
  expectStatus,
  mergePatch,
  openTarget,
  strategicPatch,
  type Target,
} from '../support/kube-support.js';

describe('Kubernetes API conformance: optimistic concurrency on ConfigMaps', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  const create = (name: string, data: Record<string, string> = { n: '0' }) =>
    t.core.createNamespacedConfigMap({ namespace: t.namespace, body: { metadata: { name }, data } });
  const read = (name: string) => t.core.readNamespacedConfigMap({ namespace: t.namespace, name });
  const replace = (name: string, body: k8s.V1ConfigMap) =>
    t.core.replaceNamespacedConfigMap({ namespace: t.namespace, name, body });
  const conflictMessage = (name: string) =>
    `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`;

  test('a PUT with a stale resourceVersion is 409 Conflict with the Status body, and changes nothing', async () => {
    const first = await create('cas-put');
    const second = await replace('cas-put', { ...first, data: { n: '1' } });
    assert.ok(
      Number(second.metadata?.resourceVersion) > Number(first.metadata?.resourceVersion),
      'Number(second.metadata?.resourceVersion) > Number(first.metadata?.resourceVersion)',
    );
    const stale = await expectStatus(replace('cas-put', { ...first, data: { n: '2' } }), 409);
    assert.equal(stale.reason, 'Conflict');
    assert.equal(stale.message, conflictMessage('cas-put'));
    assert.deepEqual(stale.details, { name: 'cas-put', kind: 'configmaps' });
    const now = await read('cas-put');
    assert.deepEqual(now.data, { n: '1' });
    assert.equal(now.metadata?.resourceVersion, second.metadata?.resourceVersion);
  });

  test('a PUT without a resourceVersion is an unconditional update (ConfigMaps allow it)', async () => {
    const first = await create('cas-unconditional');
    await replace('cas-unconditional', { ...first, data: { n: '1' } });
    const { resourceVersion: _dropped, ...metadata } = first.metadata ?? {};
    const forced = await replace('cas-unconditional', { metadata, data: { n: 'forced' } });
    assert.deepEqual(forced.data, { n: 'forced' });
    assert.deepEqual((await read('cas-unconditional')).data, { n: 'forced' });
  });

  test('a PUT to a ConfigMap that does not exist is 404 (update never creates one)', async () => {
    const missing = await expectStatus(
      replace('cas-missing', { metadata: { name: 'cas-missing' }, data: {} }),
      404,
    );
    assert.equal(missing.message, 'configmaps "cas-missing" not found');
    await expectStatus(read('cas-missing'), 404);
  });

  test('merge and strategic merge patches carrying a stale resourceVersion are 409 Conflict', async () => {
    const first = await create('cas-patch');
    const staleVersion = first.metadata?.resourceVersion;
    await replace('cas-patch', { ...first, data: { n: '1' } });
    for (const options of [mergePatch, strategicPatch]) {
      const stale = await expectStatus(
        t.core.patchNamespacedConfigMap(
          {
            namespace: t.namespace,
            name: 'cas-patch',
            body: { metadata: { resourceVersion: staleVersion }, data: { n: 'stale' } },
          },
          options,
        ),
        409,
      );
      assert.equal(stale.message, conflictMessage('cas-patch'));
    }
    assert.deepEqual((await read('cas-patch')).data, { n: '1' });
    const current = (await read('cas-patch')).metadata?.resourceVersion;
    const patched = await t.core.patchNamespacedConfigMap(
      {
        namespace: t.namespace,
        name: 'cas-patch',
        body: { metadata: { resourceVersion: current }, data: { n: '2' } },
      },
      mergePatch,
    );
    assert.deepEqual(patched.data, { n: '2' });
  });

  // Each writer changes the data: a write that changes nothing keeps the resourceVersion (as in
  // kube-apiserver), so it would not stop the next writer.
  test('of 12 writers that read the same version, exactly one wins; the rest get 409', async () => {
    const base = await create('cas-race');
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => replace('cas-race', { ...base, data: { n: `writer-${i}` } })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    for (const r of lost) assert.equal((r.reason as { code?: number }).code, 409);
    const winner = (won[0] as PromiseFulfilledResult<k8s.V1ConfigMap>).value;
    assert.deepEqual((await read('cas-race')).data, winner.data);
  });
});
