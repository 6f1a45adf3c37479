/**
 * What a connection sees and may call: toolsets chosen by header or URL path (the default set
 * otherwise), read-only connections, tokens without the write scope, the policy's toolsets per
 * person; unknown arguments (Gemini CLI's wait_for_previous) dropped and named; the capabilities the
 * stateless remote announces. Refusals are checked in the Kubernetes API, not only in the text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { catalog, DEFAULT_TOOLSETS, findTool, TOOLSET_NAMES, type ToolGroup } from '@cnpg-mcp/catalog';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import type { AuditRecord } from '../../src/audit.js';
import { connectClient, initializeMessage, postMcp } from '../support/support.js';

type Result = CallToolResult & { structuredContent?: Record<string, unknown> };

const NS = 'team-a';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;

let stack: LocalStack;
let api: StackApi;
let aliceToken: string;
const clients: Client[] = [];

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1 },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: NS },
      policy: {
        admins: { groups: ['cnpg-admins'] },
        namespaces: { everyone: [NS] },
        // Developers may use everything but backups; admins use every toolset.
        toolsets: {
          everyone: ['cluster', 'observability', 'credentials', 'roles', 'databases', 'poolers', 'logical'],
        },
      },
    },
  });
  api = stack.api;
  aliceToken = await stack.tokenFor('alice');
  const alice = await connectClient(api, aliceToken);
  clients.push(alice);
  const created = (await alice.callTool({
    name: 'cluster_create',
    arguments: { name: 'pg-seen', storage_size: '1Gi' },
  })) as Result;
  assert.ok(!created.isError, JSON.stringify(created.content));
  await stack.kube.settle();
});

after(async () => {
  for (const client of clients) await client.close();
  await stack.close();
});

/** An SDK client on `path` (under the API's base URL) with these extra headers. */
async function connect(token: string, path = '/mcp', headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'toolsets-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${api.url}${path}`), {
      requestInit: { headers: { Authorization: `Bearer ${token}`, ...headers } },
    }),
  );
  clients.push(client);
  return client;
}

const listed = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();

const namesIn = (toolsets: readonly ToolGroup[], filter: (name: string) => boolean = () => true) =>
  catalog
    .filter((tool) => tool.group === null || toolsets.includes(tool.group))
    .map((tool) => tool.name)
    .filter(filter)
    .sort();

const textOf = (result: Result) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function clusterExists(name: string): Promise<boolean> {
  try {
    await stack.admin.custom.getNamespacedCustomObject({ ...CNPG, plural: 'clusters', namespace: NS, name });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

describe('toolsets', () => {
  test('without a choice a connection gets the default toolsets; the policy removes backups', async () => {
    const client = await connect(aliceToken);
    assert.deepEqual(await listed(client), namesIn(DEFAULT_TOOLSETS));
  });

  test('X-MCP-Toolsets and /mcp/x/<toolsets> choose toolsets; the header wins over the path', async () => {
    assert.deepEqual(
      await listed(await connect(aliceToken, '/mcp', { 'X-MCP-Toolsets': 'roles,databases' })),
      namesIn(['roles', 'databases']),
    );
    assert.deepEqual(await listed(await connect(aliceToken, '/mcp/x/poolers')), namesIn(['poolers']));
    assert.deepEqual(
      await listed(await connect(aliceToken, '/mcp/x/poolers', { 'X-MCP-Toolsets': 'logical' })),
      namesIn(['logical']),
    );
  });

  test('"all" is every toolset the policy allows: backups stay hidden from developers, not from admins', async () => {
    const allowed = TOOLSET_NAMES.filter((name) => name !== 'backups');
    assert.deepEqual(await listed(await connect(aliceToken, '/mcp/x/all')), namesIn(allowed));
    const admin = await connect(await stack.tokenFor('admin'), '/mcp/x/all');
    assert.deepEqual(await listed(admin), namesIn(TOOLSET_NAMES));
  });

  test('an unknown toolset is refused before anything else, naming it and what is expected', async () => {
    const response = await fetch(`${api.url}/mcp/x/cluster,backup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initializeMessage),
    });
    assert.equal(response.status, 400);
    assert.match(
      ((await response.json()) as { error: { message: string } }).error.message,
      /unknown toolset "backup"; expected a comma-separated list of cluster, observability/,
    );
    const nowhere = await postMcp({ mcpUrl: new URL(`${api.url}/mcp/elsewhere`) }, initializeMessage);
    assert.equal(nowhere.status, 404);
  });

  test('a tool of a toolset not selected is refused, and its call writes nothing', async () => {
    const client = await connect(aliceToken, '/mcp/x/observability');
    const result = (await client.callTool({
      name: 'cluster_delete',
      arguments: { name: 'pg-seen', confirm: 'pg-seen' },
    })) as Result;
    assert.equal(result.isError, true);
    assert.match(
      textOf(result),
      /^cluster_delete is not available here: the cluster toolset is not selected on this connection \(the URL \/mcp\/x\/observability: observability\)\. Nothing was run\./,
    );
    assert.ok(await clusterExists('pg-seen'), "await clusterExists('pg-seen')");
  });

  test('a toolset the policy forbids is refused even when chosen: no Backup is created', async () => {
    const client = await connect(aliceToken, '/mcp', { 'X-MCP-Toolsets': 'backups,cluster' });
    assert.deepEqual(
      (await listed(client)).filter((name) => name.startsWith('backup')),
      [],
    );
    const result = (await client.callTool({
      name: 'backup_create',
      arguments: { cluster: 'pg-seen', name: 'sneaky' },
    })) as Result;
    assert.equal(result.isError, true);
    assert.match(
      textOf(result),
      /backup_create is not available here \(rule toolsets\): the policy does not let you use the backups tools/,
    );
    const backups = (await stack.admin.custom.listNamespacedCustomObject({
      ...CNPG,
      plural: 'backups',
      namespace: NS,
    })) as { items: unknown[] };
    assert.deepEqual(backups.items, []);
    const audit = api.audit.records<AuditRecord>().filter((r) => r.tool === 'backup_create');
    assert.deepEqual(
      audit.map((r) => [r.outcome, r.reason]),
      [['denied', 'toolsets']],
    );
  });
});

describe('read-only connections and tokens without the write scope', () => {
  const readOnlyNames = (toolsets: readonly ToolGroup[]) =>
    namesIn(toolsets, (name) => findTool(name)!.annotations.readOnlyHint);

  test('/readonly and X-MCP-Readonly list only read-only tools (credential_reveal is not one)', async () => {
    assert.deepEqual(
      await listed(await connect(aliceToken, '/mcp/readonly')),
      readOnlyNames(DEFAULT_TOOLSETS),
    );
    const header = await connect(aliceToken, '/mcp', {
      'X-MCP-Toolsets': 'cluster,credentials',
      'X-MCP-Readonly': 'true',
    });
    assert.deepEqual(await listed(header), readOnlyNames(['cluster', 'credentials']));
    assert.ok(
      !(await listed(header)).includes('credential_reveal'),
      "!(await listed(header)).includes('credential_reveal')",
    );
  });

  test('a write on a read-only connection is refused and the cluster stays', async () => {
    const client = await connect(aliceToken, '/mcp/x/cluster/readonly');
    const result = (await client.callTool({
      name: 'cluster_delete',
      arguments: { name: 'pg-seen', confirm: 'pg-seen' },
    })) as Result;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /this connection is read-only \(the URL \/mcp\/x\/cluster\/readonly\)/);
    assert.ok(await clusterExists('pg-seen'), "await clusterExists('pg-seen')");
  });

  test('a token without the write scope sees no write tool; a write is refused with a step-up challenge', async () => {
    const readToken = await stack.tokenFor('alice', 'openid profile email mcp:read');
    const client = await connect(readToken, '/mcp/x/all');
    const names = await listed(client);
    assert.deepEqual(
      names,
      namesIn(
        TOOLSET_NAMES.filter((name) => name !== 'backups'),
        (name) => findTool(name)!.requiredScope === 'read' && name !== 'credential_reveal',
      ),
    );
    assert.ok(names.length > 10, 'names.length > 10');
    await assert.rejects(
      client.callTool({ name: 'cluster_delete', arguments: { name: 'pg-seen', confirm: 'pg-seen' } }),
      /403|insufficient_scope|mcp:write/,
    );
    assert.ok(await clusterExists('pg-seen'), "await clusterExists('pg-seen')");
  });
});

describe('clients that add their own arguments', () => {
  test("Gemini CLI's wait_for_previous is dropped and named; the call runs", async () => {
    const client = await connect(aliceToken);
    // The shape Gemini CLI 0.61 sends: @google/gemini-cli-core adds `wait_for_previous` (a boolean)
    // to every tool's schema (tools.js, addWaitForPreviousParameter) and passes the model's
    // arguments to callTool unchanged (mcp-tool.js, execute).
    const result = (await client.callTool({
      name: 'cluster_list',
      arguments: { namespace: NS, wait_for_previous: true },
    })) as Result;
    assert.ok(!result.isError, textOf(result));
    assert.deepEqual(
      (result.structuredContent!.clusters as { name: string }[]).map((c) => c.name),
      ['pg-seen'],
    );
    assert.deepEqual(result.content.at(-1), {
      type: 'text',
      text: 'Ignored unknown argument wait_for_previous: cluster_list does not take it.',
    });
  });

  test('known arguments stay strict, with the unknown one still named', async () => {
    const client = await connect(aliceToken);
    const result = (await client.callTool({
      name: 'cluster_scale',
      arguments: { name: 'pg-seen', instances: 0, wait_for_previous: true },
    })) as Result;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /Invalid input for cluster_scale; nothing was written\.\n {2}- instances: /);
    assert.match(textOf(result), /Ignored unknown argument wait_for_previous/);
    const cluster = (await stack.admin.custom.getNamespacedCustomObject({
      ...CNPG,
      plural: 'clusters',
      namespace: NS,
      name: 'pg-seen',
    })) as { spec: { instances: number } };
    assert.equal(cluster.spec.instances, 1);
  });
});

test('the stateless remote does not announce list changes it has no stream to send', async () => {
  const client = await connect(aliceToken);
  assert.deepEqual(client.getServerCapabilities()?.tools, {});
  assert.equal(client.getServerCapabilities()?.prompts?.listChanged, false);
});
