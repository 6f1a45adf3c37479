/**
 * Kubernetes faults from the emulator's fault mode, each with its defined outcome: reads are
 * retried through 429, 5xx and dropped connections; writes only through 429; a timeout is a clear
 * error (a write's says its outcome is unknown); a conflict names the retry. No write is lost or
 * doubled.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { KubeEmulator } from '../../../devstack/src/index.js';
import { emulatorOnly, type LocalStack, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

const CLUSTERS = '/apis/postgresql.cnpg.io/v1/namespaces/default/clusters';

let stack: LocalStack;
let kube: KubeEmulator;
let client: Client;

describe(
  'Kubernetes faults, each with its defined outcome',
  emulatorOnly('injects faults (5xx, 429, 409, dropped connections, latency) into the emulator’s API server'),
  () => {
    before(async () => {
      stack = await startLocalStack({
        oidc: { accessTokenTtlSeconds: 3600 },
        kube: { stepDelayMs: 0 },
        // Reads here go to the API server (the path every uncached read takes); the watch cache's own
        // faults (watch errors, 410 Gone) are in watch-cache-faults.test.ts.
        remoteApi: {
          env: { KUBE_REQUEST_TIMEOUT_SECONDS: '1', KUBE_RETRY_ATTEMPTS: '3', READ_CACHE: 'off' },
        },
      });
      kube = stack.kube;
      client = await connectClient(stack.api, await stack.tokenFor('admin'));
      const created = await call('cluster_create', { name: 'pg-base', storage_size: '1Gi', instances: 1 });
      assert.ok(!created.isError, text(created));
      await kube.settle();
    });

    beforeEach(() => kube.faults.clear());

    after(async () => {
      await client.close();
      await stack.close();
    });

    async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    }

    function text(result: CallToolResult): string {
      return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    }

    async function clusterNames(): Promise<string[]> {
      const response = await fetch(`${kube.url}${CLUSTERS}`, {
        headers: { authorization: `Bearer ${kube.token}` },
      });
      const list = (await response.json()) as { items: Array<{ metadata: { name: string } }> };
      return list.items.map((item) => item.metadata.name).sort();
    }

    async function instancesOf(name: string): Promise<number> {
      const response = await fetch(`${kube.url}${CLUSTERS}/${name}`, {
        headers: { authorization: `Bearer ${kube.token}` },
      });
      return ((await response.json()) as { spec: { instances: number } }).spec.instances;
    }

    function hitsOf(id: string): number {
      return kube.faults.list().find((fault) => fault.id === id)?.hits ?? Number.NaN;
    }

    test('a read survives one 503 (retried)', async () => {
      const id = kube.faults.add({
        method: 'GET',
        path: CLUSTERS,
        status: 503,
        retryAfterSeconds: 0,
        times: 1,
      });
      const result = await call('cluster_list', { namespace: 'default' });
      assert.ok(!result.isError, text(result));
      assert.match(text(result), /pg-base/);
      assert.ok(
        kube.faults.list().every((fault) => fault.id !== id),
        'the fault was hit and used up',
      );
    });

    test('a read survives a dropped connection (retried)', async () => {
      kube.faults.add({ method: 'GET', path: CLUSTERS, drop: true, times: 1 });
      const result = await call('cluster_list', { namespace: 'default' });
      assert.ok(!result.isError, text(result));
    });

    test('a read that keeps failing with 500 ends in a clear error after the bounded attempts', async () => {
      const id = kube.faults.add({ method: 'GET', path: CLUSTERS, status: 500 });
      const result = await call('cluster_list', { namespace: 'default' });
      assert.equal(result.isError, true);
      assert.match(text(result), /unavailable.*HTTP 500/i);
      assert.match(text(result), /try again/i);
      assert.equal(hitsOf(id), 3);
    });

    test('a write through a 429 with Retry-After is sent again and applied exactly once', async () => {
      const id = kube.faults.add({
        method: 'POST',
        path: CLUSTERS,
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
      });
      const started = Date.now();
      const result = await call('cluster_create', {
        name: 'pg-after-429',
        storage_size: '1Gi',
        instances: 1,
      });
      assert.ok(!result.isError, text(result));
      assert.ok(Date.now() - started >= 900, 'Retry-After was honoured');
      assert.ok(
        kube.faults.list().every((fault) => fault.id !== id),
        'kube.faults.list().every((fault) => fault.id !== id)',
      );
      assert.deepEqual(
        (await clusterNames()).filter((name) => name === 'pg-after-429'),
        ['pg-after-429'],
      );
    });

    test('a write that meets a 500 is not sent twice: the error says so and nothing was created', async () => {
      const id = kube.faults.add({ method: 'POST', path: CLUSTERS, status: 500, times: 5 });
      const result = await call('cluster_create', {
        name: 'pg-after-500',
        storage_size: '1Gi',
        instances: 1,
      });
      assert.equal(result.isError, true);
      assert.match(text(result), /HTTP 500/);
      assert.equal(hitsOf(id), 1, 'a write is not retried after a 5xx');
      assert.ok(
        !(await clusterNames()).includes('pg-after-500'),
        "!(await clusterNames()).includes('pg-after-500')",
      );
    });

    test('a write whose connection drops is not retried and reports the failure', async () => {
      const id = kube.faults.add({ method: 'PATCH', path: `${CLUSTERS}/pg-base`, drop: true, times: 5 });
      const result = await call('cluster_scale', { name: 'pg-base', instances: 2 });
      assert.equal(result.isError, true);
      assert.match(text(result), /unreachable|unavailable/i);
      assert.equal(hitsOf(id), 1);
      assert.equal(await instancesOf('pg-base'), 1);
    });

    test('a slow read times out with a clear error', async () => {
      kube.faults.add({ method: 'GET', path: CLUSTERS, latencyMs: 2500, times: 1 });
      const result = await call('cluster_list', { namespace: 'default' });
      assert.equal(result.isError, true);
      assert.match(text(result), /did not answer .* within 1s/);
      assert.match(text(result), /try again/i);
    });

    test('a slow write times out saying its outcome is unknown', async () => {
      kube.faults.add({ method: 'PATCH', path: `${CLUSTERS}/pg-base`, latencyMs: 2500, times: 1 });
      const result = await call('cluster_scale', { name: 'pg-base', instances: 2 });
      assert.equal(result.isError, true);
      assert.match(text(result), /may or may not have been applied/);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(await instancesOf('pg-base'), 2, 'the late write landed once; the tool said to check');
    });

    test('a 409 conflict is reported with the retry hint, and running the tool again succeeds', async () => {
      kube.faults.add({ method: 'PATCH', path: `${CLUSTERS}/pg-base`, status: 409, times: 1 });
      const conflicted = await call('cluster_scale', { name: 'pg-base', instances: 3 });
      assert.equal(conflicted.isError, true);
      assert.match(text(conflicted), /conflict/i);
      assert.match(text(conflicted), /run the tool again/i);
      const again = await call('cluster_scale', { name: 'pg-base', instances: 3 });
      assert.ok(!again.isError, text(again));
      assert.equal(await instancesOf('pg-base'), 3);
    });
  },
);
