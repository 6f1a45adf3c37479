/**
 * Plain JSON calls (one JSON-RPC request, a JSON answer) are served on reused servers without the
 * SDK's transport: answered as that transport answers, refused where it refuses, and cancelled on
 * the server when the client goes away before the answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type LocalStack, startLocalStack } from '../../../devstack/src/stack.js';

let stack: LocalStack;
let token: string;

before(async () => {
  stack = await startLocalStack({ kube: { stepDelayMs: 0 } });
  token = await stack.tokenFor('alice');
});

after(async () => {
  await stack.close();
});

function post(body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(stack.api.mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-mcp-toolsets': 'all',
      ...headers,
    },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

const call = (id: number | string, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

test('answered as the SDK transport answers: 200, JSON, the same id', async () => {
  for (const id of [1, 'text-id']) {
    const response = await post(call(id, 'whoami'));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const answer = (await response.json()) as {
      jsonrpc: string;
      id: unknown;
      result: { structuredContent: unknown };
    };
    assert.equal(answer.jsonrpc, '2.0');
    assert.equal(answer.id, id);
    assert.ok(answer.result.structuredContent, 'answer.result.structuredContent');
  }
  const unknown = (await (await post(call(3, 'no_such_tool'))).json()) as { error: { code: number } };
  assert.equal(unknown.error.code, -32602);
});

test('refused where the SDK transport refuses (it answers those itself)', async () => {
  assert.equal((await post(call(1, 'whoami'), { accept: 'application/json' })).status, 406);
  assert.equal((await post(call(1, 'whoami'), { 'content-type': 'text/plain' })).status, 415);
  assert.equal((await post(call(1, 'whoami'), { 'mcp-protocol-version': '1999-01-01' })).status, 400);
  const invalid = await post({ jsonrpc: '2.0', id: 1, method: 42 });
  assert.equal(invalid.status, 400);
});

test('a call whose client goes away is cancelled on the server, and calls go on', async () => {
  // A backup of a cluster that does not exist stays pending: backup_wait waits for it.
  await stack.admin.custom.createNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: 'default',
    plural: 'backups',
    body: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name: 'stuck' },
      spec: { cluster: { name: 'ghost' } },
    },
  });
  const controller = new AbortController();
  const waiting = post(call(7, 'backup_wait', { name: 'stuck', timeout_seconds: 60 }), {}, controller.signal);
  await new Promise((resolve) => setTimeout(resolve, 500));
  controller.abort();
  await assert.rejects(waiting);
  const cancelled = async () =>
    stack.api.audit
      .records<{ tool: string; outcome: string; durationMs: number }>()
      .find((record) => record.tool === 'backup_wait');
  const deadline = Date.now() + 5000;
  while (!(await cancelled()) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const record = await cancelled();
  assert.equal(record?.outcome, 'cancelled');
  assert.ok(record.durationMs < 5000, `stopped promptly (${record.durationMs} ms)`);
  for (let i = 0; i < 5; i += 1) assert.equal((await post(call(7, 'whoami'))).status, 200);
});
