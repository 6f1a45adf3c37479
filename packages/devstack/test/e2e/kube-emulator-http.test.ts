// Emulator-only: raw HTTP details client-node hides (response headers, content types).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';

describe('emulator HTTP details', () => {
  let kube: KubeEmulator;
  const call = (path: string, init: RequestInit & { contentType?: string } = {}) =>
    fetch(`${kube.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${kube.token}`,
        'Content-Type': init.contentType ?? 'application/json',
      },
    });
  before(async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps'] });
  });
  after(async () => {
    await kube.close();
  });

  test('pruned unknown fields and CNPG deprecations come back as Warning headers', async () => {
    const res = await call('/apis/postgresql.cnpg.io/v1/namespaces/apps/clusters', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'warned' },
        spec: {
          instances: 1,
          storage: { size: '1Gi' },
          extra: true,
          backup: { barmanObjectStore: { destinationPath: 's3://b' } },
        },
      }),
    });
    assert.equal(res.status, 201);
    const warning = res.headers.get('warning') ?? '';
    assert.match(warning, /299 - "unknown field \\"spec.extra\\""/);
    assert.match(warning, /Native support for Barman Cloud backups and recovery is deprecated/);
  });

  test('a five-field schedule is accepted with a warning', async () => {
    const res = await call('/apis/postgresql.cnpg.io/v1/namespaces/apps/scheduledbackups', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: { name: 'five' },
        spec: { schedule: '0 0 * * *', cluster: { name: 'warned' } },
      }),
    });
    assert.equal(res.status, 201);
    assert.match(
      res.headers.get('warning') ?? '',
      /Schedule parameter may not have the right number of arguments/,
    );
  });

  test('server-side apply accepts YAML bodies and answers 201 when it creates', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: from-yaml',
      '  namespace: apps',
      'data:',
      '  key: value',
      '',
    ].join('\n');
    const res = await call('/api/v1/namespaces/apps/configmaps/from-yaml?fieldManager=yaml-test', {
      method: 'PATCH',
      body: yaml,
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as {
      data: Record<string, string>;
      metadata: { managedFields: { manager: string }[] };
    };
    assert.deepEqual(body.data, { key: 'value' });
    assert.equal(body.metadata.managedFields[0]?.manager, 'yaml-test');
  });

  test('unknown patch content types get 415 and unknown verbs 405', async () => {
    const patch = await call('/api/v1/namespaces/apps/configmaps/from-yaml', {
      method: 'PATCH',
      body: '{}',
      contentType: 'text/plain',
    });
    assert.equal(patch.status, 415);
    const crd = await call(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusters.postgresql.cnpg.io',
      {
        method: 'DELETE',
      },
    );
    assert.equal(crd.status, 405);
    assert.equal(((await crd.json()) as { reason: string }).reason, 'MethodNotAllowed');
  });

  test('unknown paths are 404 Status bodies', async () => {
    const res = await call('/apis/example.com/v1/widgets');
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { reason: string }).reason, 'NotFound');
  });
});
