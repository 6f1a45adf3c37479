import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Identity } from '../../../src/identity.js';
import type { KubeApis } from '../../../src/kube/client.js';
import type { ResolvedReference } from '../../../src/tools/framework/references.js';
import { UndeclaredWrite, Writer } from '../../../src/tools/framework/writer.js';

const identity: Identity = {
  sub: 'alice-sub',
  issuer: 'http://127.0.0.1:1',
  email: 'alice@example.com',
  emailVerified: true,
  name: 'Alice',
  preferredUsername: 'alice',
  groups: [],
  scopes: ['mcp:read', 'mcp:write'],
  userId: 'alice-0123456789',
};

/** Kubernetes as seen by the Writer: records what would have been sent. */
function recordingApis() {
  const sent: { method: string; params: Record<string, unknown> }[] = [];
  const record =
    (method: string) =>
    async (params: Record<string, unknown>): Promise<unknown> => {
      sent.push({ method, params });
      return { metadata: { name: 'x' }, spec: {} };
    };
  const apis = {
    custom: {
      createNamespacedCustomObject: record('custom.create'),
      patchNamespacedCustomObject: record('custom.patch'),
      patchNamespacedCustomObjectStatus: record('custom.patchStatus'),
      deleteNamespacedCustomObject: record('custom.delete'),
    },
    core: {
      createNamespacedSecret: record('core.createSecret'),
      patchNamespacedSecret: record('core.patchSecret'),
      deleteNamespacedSecret: record('core.deleteSecret'),
      deleteNamespacedPod: record('core.deletePod'),
    },
    options: undefined,
    mergePatch: {},
  } as unknown as KubeApis;
  return { apis, sent };
}

const ref = (partial: Partial<ResolvedReference> & Pick<ResolvedReference, 'kind' | 'intent' | 'name'>) =>
  ({
    key: partial.name,
    role: 'test',
    namespace: 'team-a',
    exists: partial.intent !== 'create',
    ...partial,
  }) as ResolvedReference;

const cluster = ref({ key: 'cluster', kind: 'Cluster', intent: 'use', name: 'orders', uid: 'uid-orders' });

function writer(references: ResolvedReference[], observed: Record<string, unknown> = {}, dryRun = false) {
  const { apis, sent } = recordingApis();
  const w = new Writer('test_tool', apis, identity, 'team-a', references, observed as never, dryRun);
  return { w, sent };
}

describe('Writer: only declared writes reach Kubernetes', () => {
  test('creating an object the tool did not declare is refused before any request', async () => {
    const { w, sent } = writer([cluster]);
    await assert.rejects(
      w.create('Pooler', { metadata: { name: 'orders-pooler' }, spec: { cluster: { name: 'orders' } } }),
      (error: unknown) =>
        error instanceof UndeclaredWrite && /create of Pooler team-a\/orders-pooler/.test(error.message),
    );
    assert.equal(sent.length, 0);
  });

  test('a body that refers to an undeclared object is refused before any request', async () => {
    const target = ref({ kind: 'Cluster', intent: 'create', name: 'copy' });
    const { w, sent } = writer([target]);
    const body = {
      metadata: { name: 'copy' },
      spec: { bootstrap: { recovery: { backup: { name: 'alices-backup' } } } },
    };
    await assert.rejects(
      w.create('Cluster', body),
      (error: unknown) =>
        error instanceof UndeclaredWrite &&
        /Backup team-a\/alices-backup \(spec\.bootstrap\.recovery\.backup\)/.test(error.message),
    );
    assert.equal(sent.length, 0);
  });

  test('a Cluster naming an undeclared ObjectStore (WAL archiver or recovery source) is refused', async () => {
    const target = ref({ key: 'cluster', kind: 'Cluster', intent: 'change', name: 'orders', uid: 'u' });
    const { w, sent } = writer([target], { cluster: { metadata: { name: 'orders' }, spec: {} } });
    const plugin = (store: string) => ({
      name: 'barman-cloud.cloudnative-pg.io',
      parameters: { barmanObjectName: store },
    });
    await assert.rejects(
      w.patch('Cluster', 'orders', {
        spec: { plugins: [{ ...plugin('bobs-bucket'), isWALArchiver: true }] },
      }),
      (error: unknown) =>
        error instanceof UndeclaredWrite &&
        /ObjectStore team-a\/bobs-bucket \(spec\.plugins\[0\]\.parameters\.barmanObjectName\)/.test(
          error.message,
        ),
    );
    await assert.rejects(
      w.patch('Cluster', 'orders', {
        spec: { externalClusters: [{ name: 'origin', plugin: plugin('bobs-bucket') }] },
      }),
      /spec\.externalClusters\[0\]\.plugin\.parameters\.barmanObjectName/,
    );
    assert.equal(sent.length, 0);
    const store = ref({ kind: 'ObjectStore', intent: 'use', name: 'shared' });
    const allowed = writer([target, store], { cluster: { metadata: { name: 'orders' }, spec: {} } });
    await allowed.w.patch('Cluster', 'orders', { spec: { plugins: [plugin('shared')] } });
    assert.equal(allowed.sent.length, 1);
  });

  test('a reference declared only for reading does not license a write that refers to it', async () => {
    const target = ref({ kind: 'Pooler', intent: 'create', name: 'p' });
    const readOnly = ref({ kind: 'Cluster', intent: 'read', name: 'orders' });
    const { w, sent } = writer([target, readOnly]);
    await assert.rejects(
      w.create('Pooler', { metadata: { name: 'p' }, spec: { cluster: { name: 'orders' } } }),
      UndeclaredWrite,
    );
    assert.equal(sent.length, 0);
  });

  test('patching or deleting needs a change reference, not a use reference', async () => {
    const { w, sent } = writer([cluster]);
    await assert.rejects(w.patch('Cluster', 'orders', { spec: { instances: 1 } }), UndeclaredWrite);
    await assert.rejects(w.delete('Cluster', 'orders'), UndeclaredWrite);
    assert.equal(sent.length, 0);
  });

  test('what the call created it may delete again (a rollback); nothing else declared create', async () => {
    const secret = ref({ kind: 'Secret', intent: 'create', name: 'orders-a-password' });
    const other = ref({ kind: 'Secret', intent: 'create', name: 'orders-b-password' });
    const { w, sent } = writer([cluster, secret, other]);
    await assert.rejects(w.delete('Secret', 'orders-a-password'), UndeclaredWrite);
    assert.equal(sent.length, 0);
    await w.create('Secret', { metadata: { name: 'orders-a-password' }, stringData: {} });
    await w.delete('Secret', 'orders-a-password');
    await assert.rejects(w.delete('Secret', 'orders-b-password'), UndeclaredWrite);
    assert.deepEqual(
      sent.map((s) => s.method),
      ['core.createSecret', 'core.deleteSecret'],
    );
  });

  test('a patch may keep the references the object already has, but not add new ones', async () => {
    const target = ref({ key: 'cluster', kind: 'Cluster', intent: 'change', name: 'orders', uid: 'u' });
    const current = {
      metadata: { name: 'orders' },
      spec: { managed: { roles: [{ name: 'a', passwordSecret: { name: 'orders-a-password' } }] } },
    };
    const { w, sent } = writer([target], { cluster: current });
    await w.patch('Cluster', 'orders', {
      spec: { managed: { roles: [{ name: 'a', passwordSecret: { name: 'orders-a-password' } }] } },
    });
    assert.equal(sent.length, 1);
    await assert.rejects(
      w.patch('Cluster', 'orders', {
        spec: { managed: { roles: [{ name: 'b', passwordSecret: { name: 'bobs-secret' } }] } },
      }),
      UndeclaredWrite,
    );
    assert.equal(sent.length, 1);
  });
});

describe('Writer: what a create carries', () => {
  test('owner labels and annotations, and an owner reference to the declared Cluster for dependents', async () => {
    const target = ref({ kind: 'Pooler', intent: 'create', name: 'orders-pooler' });
    const { w, sent } = writer([cluster, target]);
    await w.create('Pooler', {
      metadata: { name: 'orders-pooler', labels: { keep: 'me' } },
      spec: { cluster: { name: 'orders' } },
    });
    const body = sent[0]?.params.body as { metadata: Record<string, unknown> };
    assert.equal(sent[0]?.method, 'custom.create');
    assert.deepEqual(body.metadata.labels, {
      keep: 'me',
      'cnpg-mcp.io/created-by': 'alice-0123456789',
      'app.kubernetes.io/managed-by': 'cnpg-mcp',
    });
    assert.deepEqual(body.metadata.ownerReferences, [
      { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: 'orders', uid: 'uid-orders' },
    ]);
    assert.equal(body.metadata.namespace, 'team-a');
  });

  test('one Cluster declared twice (used, and its spec changed) still owns what the call creates', async () => {
    const changed = ref({
      key: 'managedRoles',
      kind: 'Cluster',
      intent: 'change',
      name: 'orders',
      uid: 'uid-orders',
    });
    const secret = ref({ kind: 'Secret', intent: 'create', name: 'orders-a-password' });
    const { w, sent } = writer([cluster, changed, secret]);
    await w.create('Secret', { metadata: { name: 'orders-a-password' }, stringData: {} });
    const body = sent[0]?.params.body as { metadata: Record<string, unknown> };
    assert.deepEqual(body.metadata.ownerReferences, [
      { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: 'orders', uid: 'uid-orders' },
    ]);
  });

  test('two different Clusters: no owner reference (whose dependent would it be?)', async () => {
    const other = ref({ key: 'other', kind: 'Cluster', intent: 'use', name: 'billing', uid: 'uid-billing' });
    const target = ref({ kind: 'Pooler', intent: 'create', name: 'p' });
    const { w, sent } = writer([cluster, other, target]);
    await w.create('Pooler', { metadata: { name: 'p' }, spec: { cluster: { name: 'orders' } } });
    const body = sent[0]?.params.body as { metadata: Record<string, unknown> };
    assert.equal(body.metadata.ownerReferences, undefined);
  });

  test('a Backup outlives its cluster: no owner reference', async () => {
    const target = ref({ kind: 'Backup', intent: 'create', name: 'b1' });
    const { w, sent } = writer([cluster, target]);
    await w.create('Backup', { metadata: { name: 'b1' }, spec: { cluster: { name: 'orders' } } });
    const body = sent[0]?.params.body as { metadata: Record<string, unknown> };
    assert.equal(body.metadata.ownerReferences, undefined);
  });

  test('dry run is passed to Kubernetes and recorded', async () => {
    const target = ref({ kind: 'Cluster', intent: 'create', name: 'new' });
    const { w, sent } = writer([target], {}, true);
    await w.create('Cluster', { metadata: { name: 'new' }, spec: {} });
    assert.equal(sent[0]?.params.dryRun, 'All');
    assert.deepEqual(w.done, ['create Cluster team-a/new']);
  });
});
