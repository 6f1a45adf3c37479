/** The policy decides who may reveal role passwords: owners (default), admins only, or nobody. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { KubeEmulator } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

let stack: LocalStack;
let kube: KubeEmulator;
const apis: StackApi[] = [];
const clients: Client[] = [];
let aliceToken: string;
let adminToken: string;

async function apiWithPolicy(policy: Record<string, unknown>): Promise<StackApi> {
  const api = await stack.startApi({ policy: { admins: { groups: ['cnpg-admins'] }, ...policy } });
  apis.push(api);
  return api;
}

async function connect(api: StackApi, token: string): Promise<Client> {
  const client = await connectClient(api, token);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

before(async () => {
  stack = await startLocalStack({
    oidc: { accessTokenTtlSeconds: 3600 },
    kube: { stepDelayMs: 0 },
    remoteApi: false,
  });
  kube = stack.kube;
  aliceToken = await stack.tokenFor('alice');
  adminToken = await stack.tokenFor('admin');
  const owners = await connect(await apiWithPolicy({}), aliceToken);
  const created = await call(owners, 'cluster_create', {
    name: 'pg-secret',
    storage_size: '1Gi',
    instances: 1,
  });
  assert.ok(!created.isError, text(created));
  await kube.settle();
  const role = await call(owners, 'role_create', { cluster: 'pg-secret', name: 'reporting' });
  assert.ok(!role.isError, text(role));
  await kube.settle();
});

after(async () => {
  for (const client of clients) await client.close();
  await stack.close();
});

test('default (owners): the owner reveals the password; whoami says so', async () => {
  const alice = await connect(apis[0]!, aliceToken);
  const revealed = await call(alice, 'credential_reveal', { cluster: 'pg-secret', name: 'reporting' });
  assert.ok(!revealed.isError, text(revealed));
  assert.ok(
    String((revealed.structuredContent as { password: string }).password).length >= 12,
    'String((revealed.structuredContent as { password: string }).password).length >= 12',
  );
  const who = await call(alice, 'whoami', {});
  assert.equal((who.structuredContent as { canRevealCredentials: boolean }).canRevealCredentials, true);
});

test('admins only: the owner is refused naming the rule, an admin may reveal', async () => {
  const api = await apiWithPolicy({ credentialReveal: 'admins' });
  const alice = await connect(api, aliceToken);
  const refused = await call(alice, 'credential_reveal', { cluster: 'pg-secret', name: 'reporting' });
  assert.equal(refused.isError, true);
  assert.match(text(refused), /rule credentialReveal.*administrators only/);
  assert.doesNotMatch(JSON.stringify(refused), /"password"/);
  const who = await call(alice, 'whoami', {});
  assert.equal((who.structuredContent as { canRevealCredentials: boolean }).canRevealCredentials, false);
  const admin = await connect(api, adminToken);
  const revealed = await call(admin, 'credential_reveal', { cluster: 'pg-secret', name: 'reporting' });
  assert.ok(!revealed.isError, text(revealed));
  const audit = api.audit.records<{ tool: string; outcome: string; reason: string }>();
  assert.ok(
    audit.some(
      (r) => r.tool === 'credential_reveal' && r.outcome === 'denied' && r.reason === 'credentialReveal',
    ),
    "audit.some((r) => r.tool === 'credential_reveal' && r.outcome === 'denied' && r.reason …",
  );
  assert.ok(
    audit.some((r) => r.tool === 'credential_reveal' && r.outcome === 'success'),
    "audit.some((r) => r.tool === 'credential_reveal' && r.outcome === 'success')",
  );
});

test('off: nobody, not even an admin, may reveal', async () => {
  const api = await apiWithPolicy({ credentialReveal: 'off' });
  const admin = await connect(api, adminToken);
  const refused = await call(admin, 'credential_reveal', { cluster: 'pg-secret', name: 'reporting' });
  assert.equal(refused.isError, true);
  assert.match(text(refused), /limited to nobody/);
});

test('a wrong value in the policy file stops start-up naming the field', async () => {
  await assert.rejects(apiWithPolicy({ credentialReveal: 'everyone' }), /credentialReveal/);
});
