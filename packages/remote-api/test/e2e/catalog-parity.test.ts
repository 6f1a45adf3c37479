import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { catalog, publishedSchema, toolListForMcp } from '@cnpg-mcp/catalog';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { implementations } from '../../src/tools/registry.js';
import { connectClient, unreachableKubeconfig } from '../support/support.js';

let stack: LocalStack;
let api: StackApi;
let token: string;

before(async () => {
  stack = await startLocalStack({ remoteApi: { env: { KUBECONFIG: unreachableKubeconfig() } } });
  api = stack.api;
  token = await stack.tokenFor('alice');
});

after(async () => {
  await stack.close();
});

test('every catalog entry has an implementation and every implementation is in the catalog', () => {
  const catalogNames = catalog.map((t) => t.name).sort();
  const implemented = [...implementations.keys()].sort();
  assert.deepEqual(
    catalogNames.filter((n) => !implementations.has(n)),
    [],
    'catalog entries without an implementation',
  );
  assert.deepEqual(
    implemented.filter((n) => !catalogNames.includes(n)),
    [],
    'implementations missing from the catalog',
  );
  for (const [name, impl] of implementations)
    assert.equal(
      impl.definition,
      catalog.find((t) => t.name === name),
    );
});

test("toolListForMcp() is the SDK McpServer's list made compact, and byte-identical to the remote's tools/list", async () => {
  const sdkServer = new McpServer({ name: 'reference', version: '1.0.0' });
  for (const tool of catalog) {
    sdkServer.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: tool.annotations,
        _meta: toolListForMcp().find((listed) => listed.name === tool.name)?._meta,
      },
      async () => ({ content: [] }),
    );
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await sdkServer.connect(serverSide);
  const reference = new Client({ name: 'parity', version: '1.0.0' });
  await reference.connect(clientSide);
  // A passthrough result schema keeps the server's own key order (listTools() would re-parse it).
  const rawList = async (client: Client) =>
    JSON.stringify(
      ((await client.request({ method: 'tools/list' }, z.looseObject({}))) as { tools: unknown }).tools,
    );
  // The only differences from McpServer's conversion are what publishedSchema leaves out.
  const sdkTools = JSON.parse(await rawList(reference)) as Record<string, unknown>[];
  const fromSdk = JSON.stringify(
    sdkTools.map((tool) => ({
      ...tool,
      inputSchema: publishedSchema(tool.inputSchema as Record<string, unknown>, 'input'),
      outputSchema: publishedSchema(tool.outputSchema as Record<string, unknown>, 'output'),
    })),
  );
  await reference.close();

  const remote = await connectClient(api, token, 'all');
  const fromRemote = await rawList(remote);
  await remote.close();

  const offline = JSON.stringify(toolListForMcp());
  assert.equal(offline, fromSdk);
  assert.equal(offline, fromRemote);
});
