import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import type { AuditRecord } from '../../src/audit.js';
import { connectClient } from '../support/support.js';

let stack: LocalStack;
let api: StackApi;
let alice: Client;

before(async () => {
  // Slow reconciliation, so the wait is still running when the client cancels it.
  stack = await startLocalStack({ kube: { stepDelayMs: 150 } });
  api = stack.api;
  alice = await connectClient(api, await stack.tokenFor('alice'));
});

after(async () => {
  await alice.close();
  await stack.close();
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
  assert.ok(progress.length >= 1, 'progress.length >= 1');

  const deadline = Date.now() + 5000;
  let line: AuditRecord | undefined;
  while (!line && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    line = api.audit.records<AuditRecord>().find((l) => l.tool === 'cluster_create');
  }
  assert.equal(line?.outcome, 'cancelled', 'the server stopped waiting and audited the cancellation');
  assert.ok(line.durationMs < 4000, `stopped promptly (${line.durationMs} ms)`);

  const cluster = (await stack.admin.custom.getNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: 'default',
    plural: 'clusters',
    name: 'pg-cancel',
  })) as { spec: { instances: number } };
  assert.equal(cluster.spec.instances, 3);
});
