import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { expectStatus, mergePatch, openTarget, type Target } from '../support/kube-support.js';

describe('Kubernetes API conformance: owner references, finalizers and deletion', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  const cm = (name: string, extra: Partial<k8s.V1ObjectMeta> = {}) =>
    t.core.createNamespacedConfigMap({
      namespace: t.namespace,
      body: { metadata: { name, ...extra }, data: { k: 'v' } },
    });
  const ownedBy = (owner: k8s.V1ConfigMap): k8s.V1OwnerReference[] => [
    { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid! },
  ];
  const exists = async (name: string) => {
    try {
      return await t.core.readNamespacedConfigMap({ name, namespace: t.namespace });
    } catch {
      return undefined;
    }
  };

  test('background deletion garbage-collects dependents', async () => {
    const owner = await cm('gc-owner');
    await cm('gc-dep', { ownerReferences: ownedBy(owner) });
    await t.core.deleteNamespacedConfigMap({ name: 'gc-owner', namespace: t.namespace });
    await t.eventually(async () => ((await exists('gc-dep')) ? undefined : true));
  });

  test('orphan propagation keeps dependents and strips the owner reference', async () => {
    const owner = await cm('orph-owner');
    await cm('orph-dep', { ownerReferences: ownedBy(owner) });
    await t.core.deleteNamespacedConfigMap({
      name: 'orph-owner',
      namespace: t.namespace,
      propagationPolicy: 'Orphan',
    });
    const dep = await t.eventually(async () => {
      const d = await exists('orph-dep');
      return d && !d.metadata?.ownerReferences ? d : undefined;
    });
    assert.equal(dep.metadata?.name, 'orph-dep');
    await t.eventually(async () => ((await exists('orph-owner')) ? undefined : true));
  });

  test('foreground deletion holds the owner until its dependents are gone', async () => {
    const owner = await cm('fg-owner');
    await cm('fg-dep', { ownerReferences: ownedBy(owner), finalizers: ['example.com/hold'] });
    await t.core.deleteNamespacedConfigMap({
      name: 'fg-owner',
      namespace: t.namespace,
      propagationPolicy: 'Foreground',
    });
    const held = await t.eventually(async () => {
      const o = await exists('fg-owner');
      return o?.metadata?.deletionTimestamp ? o : undefined;
    });
    assert.ok(
      held.metadata?.finalizers?.includes('foregroundDeletion'),
      "held.metadata?.finalizers?.includes('foregroundDeletion')",
    );
    await t.core.patchNamespacedConfigMap(
      { name: 'fg-dep', namespace: t.namespace, body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await t.eventually(async () =>
      (await exists('fg-owner')) || (await exists('fg-dep')) ? undefined : true,
    );
  });

  test('finalizers hold deletion: DELETE marks the object, removing the last finalizer removes it', async () => {
    await cm('fin-1', { finalizers: ['example.com/hold'] });
    await t.core.deleteNamespacedConfigMap({ name: 'fin-1', namespace: t.namespace });
    const marked = await exists('fin-1');
    assert.ok(marked?.metadata?.deletionTimestamp, 'marked?.metadata?.deletionTimestamp');
    const added = await expectStatus(
      t.core.patchNamespacedConfigMap(
        {
          name: 'fin-1',
          namespace: t.namespace,
          body: { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } },
        },
        mergePatch,
      ),
      422,
    );
    assert.match(added.message, /no new finalizers can be added if the object is being deleted/);
    await t.core.patchNamespacedConfigMap(
      { name: 'fin-1', namespace: t.namespace, body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    assert.equal(await exists('fin-1'), undefined);
  });

  test('delete preconditions are checked', async () => {
    await cm('pre-1');
    const body = await expectStatus(
      t.core.deleteNamespacedConfigMap({
        name: 'pre-1',
        namespace: t.namespace,
        body: { preconditions: { uid: 'not-the-uid' } },
      }),
      409,
    );
    assert.match(
      body.message,
      /^Operation cannot be fulfilled on configmaps "pre-1": Precondition failed: UID in precondition: not-the-uid, UID in object meta: /,
    );
  });

  test('the default namespace may not be deleted', async () => {
    const body = await expectStatus(t.core.deleteNamespace({ name: 'default', dryRun: 'All' }), 403);
    assert.equal(body.message, 'namespaces "default" is forbidden: this namespace may not be deleted');
  });

  test('deleting a namespace removes its content, then the namespace', async () => {
    const ns = `${t.namespace}-x`;
    await t.core.createNamespace({ body: { metadata: { name: ns } } });
    await t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inside' } } });
    await t.core.deleteNamespace({ name: ns });
    const created = await expectStatus(
      t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'late' } } }),
      403,
    ).catch(() => undefined);
    if (created) assert.match(created.message, /because it is being terminated/);
    await t.eventually(async () => {
      try {
        await t.core.readNamespace({ name: ns });
        return undefined;
      } catch {
        return true;
      }
    });
  });
});
