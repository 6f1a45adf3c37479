/** The policy decides who may reveal role passwords: owners (default), admins only, or nobody. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  type DevOidc,
  type KubeEmulator,
  loginForTokens,
  startDevOidc,
  startKubeEmulator,
} from '../../../devstack/src/index.js';
import { connectClient, type StartedApi, startApi, tempDir } from '../support/support.js';

let oidc: DevOidc;
let kube: KubeEmulator;
const apis: StartedApi[] = [];
const clients: Client[] = [];
let aliceToken: string;
let adminToken: string;

async function apiWithPolicy(policy: Record<string, unknown>): Promise<StartedApi> {
  const file = join(tempDir(), 'policy.json');
  writeFileSync(file, JSON.stringify({ adminGroups: ['cnpg-admins'], ...policy }));
  const api = await startApi({
    OIDC_ISSUER: oidc.issuer,
    OIDC_AUDIENCE: oidc.audience,
    KUBECONFIG: kube.kubeconfigPath,
    POLICY_FILE: file,
  });
  apis.push(api);
  return api;
}

async function connect(api: StartedApi, token: string): Promise<Client> {
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
  oidc = await startDevOidc({ accessTokenTtlSeconds: 3600 });
  kube = await startKubeEmulator({ stepDelayMs: 0 });
  aliceToken = (await loginForTokens(oidc, { username: 'alice' })).access_token;
  adminToken = (await loginForTokens(oidc, { username: 'admin' })).access_token;
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
  for (const api of apis) await api.close();
  await kube.close();
  await oidc.close();
});

test('default (owners): the owner reveals the password; whoami says so', async () => {
  const alice = await connect(apis[0]!, aliceToken);
  const revealed = await call(alice, 'credential_reveal', { cluster: 'pg-secret', name: 'reporting' });
  assert.ok(!revealed.isError, text(revealed));
  assert.ok(String((revealed.structuredContent as { password: string }).password).length >= 12);
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
  );
  assert.ok(audit.some((r) => r.tool === 'credential_reveal' && r.outcome === 'success'));
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
