import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type DevOidc,
  type KubeEmulator,
  loginForTokens,
  startDevOidc,
  startKubeEmulator,
} from '../../../devstack/src/index.js';
import type { AuditRecord } from '../../src/audit.js';
import { connectClient, type StartedApi, startApi } from '../support/support.js';

let oidc: DevOidc;
let kube: KubeEmulator;
let api: StartedApi;
let alice: Client;

before(async () => {
  oidc = await startDevOidc();
  // Slow reconciliation, so the wait is still running when the client cancels it.
  kube = await startKubeEmulator({ stepDelayMs: 150 });
  api = await startApi({
    OIDC_ISSUER: oidc.issuer,
    OIDC_AUDIENCE: oidc.audience,
    KUBECONFIG: kube.kubeconfigPath,
  });
  alice = await connectClient(api, (await loginForTokens(oidc, { username: 'alice' })).access_token);
});

after(async () => {
  await alice.close();
  await api.close();
  await kube.close();
  await oidc.close();
});

test('/readyz is 200 when the Kubernetes API answers and the JWKS is fetched', async () => {
  const response = await fetch(`${api.url}/readyz`);
  const body = (await response.json()) as {
    ready: boolean;
    kubernetes: { ok: boolean };
    jwks: { ok: boolean };
  };
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.deepEqual([body.ready, body.kubernetes.ok, body.jwks.ok], [true, true, true]);
});

test('cancelling create-and-wait stops the wait on the server; the cluster creation goes on', async () => {
  const controller = new AbortController();
  const progress: string[] = [];
  const call = alice.callTool(
    {
      name: 'cluster_create',
      arguments: { name: 'pg-cancel', instances: 3, storage_size: '1Gi', wait: true },
    },
    undefined,
    {
      signal: controller.signal,
      onprogress: (p) => {
        progress.push(p.message ?? '');
        controller.abort('changed my mind');
      },
    },
  );
  await assert.rejects(call, /changed my mind|abort|cancel/i);
  assert.ok(progress.length >= 1);

  const deadline = Date.now() + 5000;
  let line: AuditRecord | undefined;
  while (!line && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    line = api.audit.records<AuditRecord>().find((l) => l.tool === 'cluster_create');
  }
  assert.equal(line?.outcome, 'cancelled', 'the server stopped waiting and audited the cancellation');
  assert.ok(line.durationMs < 4000, `stopped promptly (${line.durationMs} ms)`);

  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const cluster = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: 'default',
    plural: 'clusters',
    name: 'pg-cancel',
  })) as { spec: { instances: number } };
  assert.equal(cluster.spec.instances, 3);
});
