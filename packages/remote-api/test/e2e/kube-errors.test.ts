import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../../devstack/src/index.js';
import { describeKubeError, translateKubeError } from '../../src/kube/errors.js';

const CNPG = {
  group: 'postgresql.cnpg.io',
  version: 'v1',
  namespace: 'default',
  plural: 'clusters',
} as const;
let kube: KubeEmulator;
let custom: CustomObjectsApi;

before(async () => {
  kube = await startKubeEmulator({ stepDelayMs: 1 });
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  custom = kc.makeApiClient(CustomObjectsApi);
});

after(async () => {
  await kube.close();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected the API server to refuse'),
    (error: unknown) => translateKubeError(error)!,
  );

const cluster = (name: string, size: string) => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name },
  spec: { instances: 1, storage: { size } },
});

test('an admission refusal becomes "invalid" with the server message, the causes and a hint', async () => {
  const error = await failure(custom.createNamespacedCustomObject({ ...CNPG, body: cluster('pg-x', 'ten') }));
  assert.equal(error.kind, 'invalid');
  assert.equal(error.status, 422);
  assert.ok(
    error.causes.some((c) => c.field === 'spec.storage.size'),
    "error.causes.some((c) => c.field === 'spec.storage.size')",
  );
  const text = describeKubeError(error);
  assert.match(text, /^Kubernetes invalid \(HTTP 422\): .*Size value isn't valid/);
  assert.match(text, /\n {2}- spec\.storage\.size: /);
  assert.match(text, /Hint: Fix the fields named above/);
});

test('a stale resourceVersion is a conflict; a missing object is not found; a taken name already exists', async () => {
  const created = (await custom.createNamespacedCustomObject({ ...CNPG, body: cluster('pg-c', '1Gi') })) as {
    metadata: { resourceVersion: string };
  };
  await custom.patchNamespacedCustomObject(
    { ...CNPG, name: 'pg-c', body: { metadata: { annotations: { a: '1' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const conflict = await failure(
    custom.patchNamespacedCustomObject(
      {
        ...CNPG,
        name: 'pg-c',
        body: { metadata: { resourceVersion: created.metadata.resourceVersion, annotations: { a: '2' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
  assert.equal(conflict.kind, 'conflict');
  assert.match(describeKubeError(conflict), /Hint: The object changed while this call ran/);
  assert.equal(
    (await failure(custom.getNamespacedCustomObject({ ...CNPG, name: 'nope' }))).kind,
    'not_found',
  );
  assert.equal(
    (await failure(custom.createNamespacedCustomObject({ ...CNPG, body: cluster('pg-c', '1Gi') }))).kind,
    'already_exists',
  );
});

test('an unreachable API server is "unavailable"', async () => {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'none', server: 'http://127.0.0.1:9', skipTLSVerify: true },
    { name: 'none' },
  );
  const error = await failure(
    kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...CNPG, name: 'x' }),
  );
  assert.equal(error.kind, 'unavailable');
  assert.match(describeKubeError(error), /Kubernetes API unreachable/);
});
