/**
 * The person confirms, not the model: a client that declares elicitation is asked before a
 * destructive call or credential_reveal runs, and nothing is written unless the person accepts
 * (checked in the Kubernetes API). Any replica may take the answer. Clients without elicitation
 * keep the `confirm` argument, unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import type { AuditRecord } from '../../src/audit.js';
import { connectClient } from '../support/support.js';

type Result = CallToolResult & { structuredContent?: Record<string, unknown> };
type Answer = (request: ElicitRequest, id: string | number) => Promise<ElicitResult> | ElicitResult;

const NS = 'team-a';
const CLUSTERS = { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters', namespace: NS } as const;

let stack: LocalStack;
let replicaA: StackApi;
let replicaB: StackApi;
let aliceToken: string;
let bobToken: string;
const clients: Client[] = [];

const policy = { admins: { groups: ['cnpg-admins'] }, namespaces: { everyone: [NS] } };
// The asking replica looks for answers another replica took every second.
const env = { DEFAULT_NAMESPACE: NS, QUOTA_NAMESPACE: NS };

before(async () => {
  stack = await startLocalStack({ kube: { namespaces: [NS], stepDelayMs: 1 }, remoteApi: { env, policy } });
  replicaA = stack.api;
  replicaB = await stack.startApi({ env, policy });
  [aliceToken, bobToken] = await Promise.all([stack.tokenFor('alice'), stack.tokenFor('bob')]);
  const plain = await connectClient(replicaA, aliceToken);
  clients.push(plain);
  for (const name of [
    'pg-accept',
    'pg-decline',
    'pg-cancel',
    'pg-model',
    'pg-relay',
    'pg-theft',
    'pg-plain',
    'pg-scale',
  ]) {
    const created = (await plain.callTool({
      name: 'cluster_create',
      arguments: { name, storage_size: '1Gi', instances: name === 'pg-scale' ? 2 : 1 },
    })) as Result;
    assert.ok(!created.isError, JSON.stringify(created.content));
  }
  const role = (await plain.callTool({
    name: 'role_create',
    arguments: { cluster: 'pg-plain', name: 'reporting' },
  })) as Result;
  assert.ok(!role.isError, JSON.stringify(role.content));
  await stack.kube.settle();
});

after(async () => {
  for (const client of clients) await client.close();
  await stack.close();
});

/** The JSON-RPC messages of a POST body that are all responses (the client answering the server). */
function isAnswer(init: RequestInit | undefined): boolean {
  if (init?.method !== 'POST' || typeof init.body !== 'string') return false;
  const body = JSON.parse(init.body) as unknown;
  const messages = Array.isArray(body) ? body : [body];
  return messages.every((m) => m && typeof m === 'object' && !('method' in m));
}

/**
 * An SDK client of replica A that declares elicitation and answers with `answer`; with
 * `answerThrough`, its answers go to that replica instead (as behind a load balancer).
 */
async function askingClient(token: string, answer: Answer, answerThrough?: StackApi) {
  const asked: string[] = [];
  const client = new Client(
    { name: 'elicitation-test', version: '1' },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
    asked.push(request.params.message);
    return answer(request, extra.requestId);
  });
  const transport = new StreamableHTTPClientTransport(new URL(`${replicaA.url}/mcp/x/all`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: (url, init) =>
      fetch(answerThrough && isAnswer(init) ? new URL(`${answerThrough.url}/mcp`) : url, init),
  });
  await client.connect(transport);
  clients.push(client);
  return { client, asked };
}

const textOf = (result: Result) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function clusterExists(name: string): Promise<boolean> {
  await stack.kube.settle();
  try {
    await stack.admin.custom.getNamespacedCustomObject({ ...CLUSTERS, name });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

const deleteCall = (client: Client, name: string, confirm = name) =>
  client.callTool({ name: 'cluster_delete', arguments: { name, confirm } }) as Promise<Result>;

async function pendingConfirmations(): Promise<string[]> {
  const list = await stack.admin.core.listNamespacedConfigMap({
    namespace: NS,
    labelSelector: 'cnpg-mcp.io/purpose=confirmation',
  });
  return list.items.map((item) => item.metadata?.name ?? '');
}

describe('a client that declares elicitation', () => {
  test('accept: the person is asked what will go, then the cluster is deleted', async () => {
    const { client, asked } = await askingClient(aliceToken, () => ({ action: 'accept', content: {} }));
    const result = await deleteCall(client, 'pg-accept');
    assert.ok(!result.isError, textOf(result));
    assert.deepEqual(asked, [
      `Delete cluster pg-accept (namespace ${NS}) with its instances, volumes and what was made for it? Backups stay. This cannot be undone.`,
    ]);
    assert.equal(await clusterExists('pg-accept'), false);
    assert.deepEqual(await pendingConfirmations(), []);
  });

  test('decline: refused, audited, nothing written', async () => {
    const { client } = await askingClient(aliceToken, () => ({ action: 'decline' }));
    const result = await deleteCall(client, 'pg-decline');
    assert.equal(result.isError, true);
    assert.equal(textOf(result), 'cluster_delete did not run: the person declined. Nothing was written.');
    assert.ok(await clusterExists('pg-decline'), "await clusterExists('pg-decline')");
    const audit = replicaA.audit
      .records<AuditRecord>()
      .filter((r) => r.tool === 'cluster_delete' && r.name === 'pg-decline');
    assert.deepEqual(
      audit.map((r) => [r.outcome, r.reason, r.writes]),
      [['denied', 'not_confirmed_decline', []]],
    );
  });

  test('cancel: nothing written', async () => {
    const { client } = await askingClient(aliceToken, () => ({ action: 'cancel' }));
    const result = await deleteCall(client, 'pg-cancel');
    assert.match(textOf(result), /the person dismissed the question\. Nothing was written\./);
    assert.ok(await clusterExists('pg-cancel'), "await clusterExists('pg-cancel')");
  });

  test('the model repeating the name does not confirm: the person is still asked, and declines', async () => {
    const { client, asked } = await askingClient(aliceToken, () => ({ action: 'decline' }));
    const result = await deleteCall(client, 'pg-model', 'pg-model');
    assert.equal(result.isError, true);
    assert.equal(asked.length, 1);
    assert.ok(await clusterExists('pg-model'), "await clusterExists('pg-model')");
  });

  test('what the person accepts runs, whatever confirm the model wrote', async () => {
    const { client } = await askingClient(aliceToken, () => ({ action: 'accept', content: {} }));
    const result = await deleteCall(client, 'pg-model', 'not-the-name');
    assert.ok(!result.isError, textOf(result));
    assert.equal(await clusterExists('pg-model'), false);
  });

  test('a dry run is not asked about', async () => {
    const { client, asked } = await askingClient(aliceToken, () => ({ action: 'decline' }));
    const result = (await client.callTool({
      name: 'cluster_delete',
      arguments: { name: 'pg-decline', confirm: 'pg-decline', dry_run: true },
    })) as Result;
    assert.ok(!result.isError, textOf(result));
    assert.deepEqual(asked, []);
  });

  test('scaling down is asked about, scaling up is not', async () => {
    const { client, asked } = await askingClient(aliceToken, () => ({ action: 'decline' }));
    const down = (await client.callTool({
      name: 'cluster_scale',
      arguments: { name: 'pg-scale', instances: 1 },
    })) as Result;
    assert.equal(down.isError, true);
    assert.match(asked[0] ?? '', /^Scale cluster pg-scale \(namespace team-a\) to 1 instances\?/);
    const cluster = (await stack.admin.custom.getNamespacedCustomObject({
      ...CLUSTERS,
      name: 'pg-scale',
    })) as {
      spec: { instances: number };
    };
    assert.equal(cluster.spec.instances, 2);
    const up = (await client.callTool({
      name: 'cluster_scale',
      arguments: { name: 'pg-scale', instances: 3 },
    })) as Result;
    assert.ok(!up.isError, textOf(up));
    assert.equal(asked.length, 1);
  });

  test('a dry run of a tool only some of whose calls are confirmed says whether the real call would ask', async () => {
    const { client, asked } = await askingClient(aliceToken, () => ({ action: 'decline' }));
    const meta = async (instances: number) =>
      (
        (await client.callTool({
          name: 'cluster_scale',
          arguments: { name: 'pg-scale', instances, dry_run: true },
        })) as Result
      )._meta?.['cnpg-mcp.io/confirmation-needed'];
    const current = (
      (await stack.admin.custom.getNamespacedCustomObject({ ...CLUSTERS, name: 'pg-scale' })) as {
        spec: { instances: number };
      }
    ).spec.instances;
    assert.equal(await meta(current + 1), false);
    assert.equal(await meta(1), true);
    assert.deepEqual(asked, [], 'dry runs are never asked about');
  });

  test('credential_reveal shows the password only when the person accepts', async () => {
    const declined = await askingClient(aliceToken, () => ({ action: 'decline' }));
    const refused = (await declined.client.callTool({
      name: 'credential_reveal',
      arguments: { cluster: 'pg-plain', name: 'reporting' },
    })) as Result;
    assert.equal(refused.isError, true);
    assert.equal(refused.structuredContent, undefined);
    assert.match(declined.asked[0] ?? '', /^Show the password of role reporting of cluster pg-plain/);
    const accepted = await askingClient(aliceToken, () => ({ action: 'accept', content: {} }));
    const shown = (await accepted.client.callTool({
      name: 'credential_reveal',
      arguments: { cluster: 'pg-plain', name: 'reporting' },
    })) as Result;
    assert.ok(!shown.isError, textOf(shown));
    assert.ok(
      String(shown.structuredContent?.password).length >= 16,
      'String(shown.structuredContent?.password).length >= 16',
    );
  });

  test('another replica takes the answer (through the Kubernetes API) and the asking one goes on', async () => {
    const { client } = await askingClient(aliceToken, () => ({ action: 'accept', content: {} }), replicaB);
    const result = await deleteCall(client, 'pg-relay');
    assert.ok(!result.isError, textOf(result));
    assert.equal(await clusterExists('pg-relay'), false);
    assert.deepEqual(await pendingConfirmations(), []);
  });

  test("someone else cannot answer: bob's accept of alice's question is refused on either replica", async () => {
    const stolen: number[] = [];
    const { client } = await askingClient(aliceToken, async (_request, id) => {
      for (const replica of [replicaA, replicaB]) {
        const response = await fetch(`${replica.url}/mcp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            authorization: `Bearer ${bobToken}`,
          },
          body: JSON.stringify({ jsonrpc: '2.0', id, result: { action: 'accept', content: {} } }),
        });
        stolen.push(response.status);
      }
      // Give the asking replica time to read anything bob might have written.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return { action: 'decline' };
    });
    const result = await deleteCall(client, 'pg-theft');
    assert.deepEqual(stolen, [404, 404]);
    assert.match(textOf(result), /the person declined/);
    assert.ok(await clusterExists('pg-theft'), "await clusterExists('pg-theft')");
  });
});

describe('a client without elicitation', () => {
  test('keeps the confirm argument: a wrong name is refused, the right one deletes, nobody is asked', async () => {
    const client = await connectClient(replicaA, aliceToken);
    clients.push(client);
    const wrong = await deleteCall(client, 'pg-plain', 'pg-other');
    assert.equal(wrong.isError, true);
    assert.match(
      textOf(wrong),
      /confirmation required: set confirm to the cluster name "pg-plain" \(got "pg-other"\)/,
    );
    assert.ok(await clusterExists('pg-plain'), "await clusterExists('pg-plain')");
    const right = await deleteCall(client, 'pg-plain');
    assert.ok(!right.isError, textOf(right));
    assert.equal(await clusterExists('pg-plain'), false);
  });
});
