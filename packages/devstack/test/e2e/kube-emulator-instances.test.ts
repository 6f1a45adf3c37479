/** Emulator-only: an instance destroyed (pod and PVC) comes back cleanly under the same serial. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startKubeEmulator } from '../../src/index.js';

test('destroying an instance (pod and PVC) recreates it with no controller error', async (t) => {
  const errors: string[] = [];
  const kube = await startKubeEmulator({
    stepDelayMs: 0,
    onControllerError: (key, error) => errors.push(`${key}: ${(error as Error).message}`),
  });
  t.after(() => kube.close());
  const headers = { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' };
  const clusters = `${kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/clusters`;
  const created = await fetch(clusters, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'pg' },
      spec: { instances: 2, storage: { size: '1Gi' } },
    }),
  });
  assert.equal(created.status, 201);
  await kube.settle();

  for (const path of ['pods/pg-2', 'persistentvolumeclaims/pg-2']) {
    const deleted = await fetch(`${kube.url}/api/v1/namespaces/default/${path}`, {
      method: 'DELETE',
      headers,
    });
    assert.equal(deleted.status, 200);
  }
  await kube.settle();

  assert.deepEqual(errors, []);
  const cluster = (await (await fetch(`${clusters}/pg`, { headers })).json()) as {
    status: { readyInstances: number; instanceNames: string[]; phase: string };
  };
  assert.equal(cluster.status.readyInstances, 2);
  assert.deepEqual(cluster.status.instanceNames, ['pg-1', 'pg-2']);
  assert.equal(cluster.status.phase, 'Cluster in healthy state');
});

test('emulating CloudNativePG 1.29: no DatabaseRole in discovery or as a CRD; managed roles still reconcile', async (t) => {
  const kube = await startKubeEmulator({ stepDelayMs: 0, cnpgVersion: '1.29' });
  t.after(() => kube.close());
  const headers = { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' };
  const discovery = (await (await fetch(`${kube.url}/apis/postgresql.cnpg.io/v1`, { headers })).json()) as {
    resources: Array<{ name: string }>;
  };
  const names = discovery.resources.map((resource) => resource.name);
  assert.ok(names.includes('clusters'), "names.includes('clusters')");
  assert.ok(!names.includes('databaseroles'), "!names.includes('databaseroles')");
  const crd = await fetch(
    `${kube.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/databaseroles.postgresql.cnpg.io`,
    { headers },
  );
  assert.equal(crd.status, 404);
  const list = await fetch(`${kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/databaseroles`, {
    headers,
  });
  assert.equal(list.status, 404);

  const created = await fetch(`${kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/clusters`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'pg' },
      spec: {
        instances: 1,
        storage: { size: '1Gi' },
        managed: { roles: [{ name: 'reporting', ensure: 'present', login: true }] },
      },
    }),
  });
  assert.equal(created.status, 201);
  await kube.settle();
  const cluster = (await (
    await fetch(`${kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/clusters/pg`, { headers })
  ).json()) as { status: { phase: string; managedRolesStatus?: { byStatus?: Record<string, string[]> } } };
  assert.equal(cluster.status.phase, 'Cluster in healthy state');
  assert.deepEqual(cluster.status.managedRolesStatus?.byStatus?.reconciled, ['reporting']);
});
