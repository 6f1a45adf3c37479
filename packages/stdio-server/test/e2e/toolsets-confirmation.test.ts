/**
 * The desktop side of issue 15 through the built CLI and the real SDK client over stdio: the tools
 * offered follow --toolsets / CNPG_MCP_TOOLSETS / the config file and --read-only, offline and after
 * the remote's own list is read; calls outside them are refused before anything is forwarded; the
 * person confirms destructive calls when the client can ask (nothing reaches the remote otherwise),
 * the confirm argument is unchanged for clients that cannot; Gemini CLI's extra argument is named.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_SELECTION,
  findTool,
  TOOLSET_NAMES,
  type ToolSelection,
  toolListForMcp,
} from '@cnpg-mcp/catalog';
import { loginForTokens } from '@cnpg-mcp/devstack';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { selectedTools } from '../../src/serve/tool-selection.js';
import { builtCli, connectOverStdio, privateHome, runCli, textOf } from '../support/helpers.js';
import { type Stack, startStack } from '../support/stack.js';

type Cleanup = { after: (fn: () => void | Promise<void>) => void };
const CLUSTERS = {
  group: 'postgresql.cnpg.io',
  version: 'v1',
  plural: 'clusters',
  namespace: 'default',
} as const;

const expected = (selection: ToolSelection) =>
  selectedTools(toolListForMcp(), selection)
    .map((tool) => tool.name)
    .sort();

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();

/** Settings that name a remote nothing answers: lists come from the catalogue. */
const offline = {
  CNPG_MCP_REMOTE_URL: 'http://127.0.0.1:9/mcp',
  CNPG_MCP_ISSUER: 'http://127.0.0.1:9',
  CNPG_MCP_CLIENT_ID: 'x',
};

test('offline, the list follows --toolsets, CNPG_MCP_TOOLSETS, the config file and --read-only', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...offline };
  const list = async (args: string[], extra: Record<string, string> = {}) =>
    names((await connectOverStdio(t, cli, { ...env, ...extra }, args)).client);

  assert.deepEqual(await list([]), expected(DEFAULT_SELECTION));
  assert.deepEqual(
    await list(['--toolsets', 'backups']),
    expected({ toolsets: ['backups'], readOnly: false }),
  );
  assert.deepEqual(await list(['--read-only']), expected({ ...DEFAULT_SELECTION, readOnly: true }));
  assert.deepEqual(
    await list([], { CNPG_MCP_TOOLSETS: 'roles,databases', CNPG_MCP_READ_ONLY: 'true' }),
    expected({ toolsets: ['roles', 'databases'], readOnly: true }),
  );
  const config = join(home.dir, 'config.json');
  writeFileSync(config, JSON.stringify({ toolsets: 'all', readOnly: true }));
  const fromFile = await list(['--config', config]);
  assert.deepEqual(fromFile, expected({ toolsets: TOOLSET_NAMES, readOnly: true }));
  assert.ok(
    fromFile.every((name) => findTool(name)?.annotations.readOnlyHint),
    'fromFile.every((name) => findTool(name)?.annotations.readOnlyHint)',
  );
  assert.ok(!fromFile.includes('credential_reveal'), "!fromFile.includes('credential_reveal')");
});

test('an unknown toolset stops the server with the setting named and what is expected', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const run = await runCli(cli, ['--toolsets', 'cluster,backup'], { ...home.env, ...offline });
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /toolsets \(flag --toolsets, env CNPG_MCP_TOOLSETS, or "toolsets" in the config file\): unknown toolset "backup"; expected a comma-separated list of cluster, observability/,
  );
});

/** A stdio session logged in as `username` through a refresh token of its own (no browser). */
async function session(
  t: Cleanup,
  stack: Stack,
  args: string[] = [],
  capabilities: Parameters<typeof connectOverStdio>[4] = {},
  username = 'alice',
) {
  const cli = await builtCli();
  const home = privateHome(t);
  const { refresh_token: refreshToken } = await loginForTokens(stack.oidc, { username });
  const { CNPG_MCP_TOKEN_STORE: _file, ...settings } = stack.settingsEnv;
  const env = {
    ...home.env,
    ...settings,
    CNPG_MCP_REFRESH_TOKEN: refreshToken ?? '',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '0',
  };
  return connectOverStdio(t, cli, env, args, capabilities);
}

/** Clusters made directly on the remote (not through the server under test). */
async function createClusters(stack: Stack, clusters: string[]): Promise<void> {
  const client = new Client({ name: 'setup', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(stack.api.mcpUrl, {
      requestInit: { headers: { Authorization: `Bearer ${await stack.tokenFor('alice')}` } },
    }),
  );
  for (const name of clusters) {
    const created = await client.callTool({
      name: 'cluster_create',
      arguments: { name, storage_size: '1Gi' },
    });
    assert.ok(!created.isError, textOf(created));
  }
  await client.close();
  await stack.kube.settle();
}

async function clusterExists(stack: Stack, name: string): Promise<boolean> {
  await stack.kube.settle();
  try {
    await stack.admin.custom.getNamespacedCustomObject({ ...CLUSTERS, name });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

const deletesAudited = (stack: Stack) =>
  stack.audit
    .records<{ tool: string; name: string; outcome: string }>()
    .filter((r) => r.tool === 'cluster_delete');

test('with the remote: the selection is kept after its list is read, and calls outside it are refused here', async (t) => {
  const stack = await startStack(t, { stepDelayMs: 1 });
  await createClusters(stack, ['pg-kept']);

  const readOnly = (await session(t, stack, ['--toolsets', 'all', '--read-only'])).client;
  const whoami = await readOnly.callTool({ name: 'whoami', arguments: {} });
  assert.equal(whoami.isError, undefined, textOf(whoami));
  assert.deepEqual(await names(readOnly), expected({ toolsets: TOOLSET_NAMES, readOnly: true }));
  const write = await readOnly.callTool({
    name: 'cluster_delete',
    arguments: { name: 'pg-kept', confirm: 'pg-kept' },
  });
  assert.equal(write.isError, true);
  assert.equal(
    textOf(write),
    'cluster_delete is not offered here: cnpg-mcp runs read-only (--read-only, CNPG_MCP_READ_ONLY or "readOnly"). Nothing was run.',
  );

  const observing = (await session(t, stack, ['--toolsets', 'observability'])).client;
  const pods = await observing.callTool({ name: 'cluster_pods', arguments: { name: 'pg-kept' } });
  assert.equal(pods.isError, undefined, textOf(pods));
  assert.deepEqual(await names(observing), expected({ toolsets: ['observability'], readOnly: false }));
  const other = await observing.callTool({
    name: 'cluster_delete',
    arguments: { name: 'pg-kept', confirm: 'pg-kept' },
  });
  assert.match(
    textOf(other),
    /^cluster_delete is not offered here: its toolset "cluster" is not selected \(toolsets: observability;/,
  );

  assert.ok(await clusterExists(stack, 'pg-kept'), "await clusterExists(stack, 'pg-kept')");
  assert.deepEqual(deletesAudited(stack), [], 'nothing reached the remote');
});

test('the person confirms before anything is forwarded: decline and cancel send nothing, accept deletes', async (t) => {
  const stack = await startStack(t, { stepDelayMs: 1 });
  await createClusters(stack, ['pg-declined', 'pg-accepted']);
  const answers: ElicitResult[] = [
    { action: 'decline' },
    { action: 'cancel' },
    { action: 'accept', content: {} },
  ];
  const asked: string[] = [];
  const { client } = await session(t, stack, [], { elicitation: { form: {} } });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return answers.shift() ?? { action: 'decline' };
  });

  // The model repeats the name as the schema asks; the person still decides.
  for (const outcome of ['declined', 'dismissed the question']) {
    const refused = await client.callTool({
      name: 'cluster_delete',
      arguments: { name: 'pg-declined', confirm: 'pg-declined' },
    });
    assert.equal(refused.isError, true);
    assert.match(
      textOf(refused),
      new RegExp(`^cluster_delete did not run: the person ${outcome}\\. Nothing was sent to the server\\.$`),
    );
  }
  assert.ok(await clusterExists(stack, 'pg-declined'), "await clusterExists(stack, 'pg-declined')");
  assert.deepEqual(deletesAudited(stack), [], 'declined calls never reached the remote');

  // Accepted, it runs with the name the person saw, whatever the model put in confirm.
  const accepted = await client.callTool({
    name: 'cluster_delete',
    arguments: { name: 'pg-accepted', confirm: 'typo' },
  });
  assert.equal(accepted.isError, undefined, textOf(accepted));
  assert.equal(await clusterExists(stack, 'pg-accepted'), false);
  assert.equal(asked.length, 3, 'asked once per call: the remote did not ask again');
  assert.match(asked[2] ?? '', /^Delete cluster pg-accepted \(namespace your default\) with its instances/);
  assert.deepEqual(
    deletesAudited(stack).map((r) => [r.name, r.outcome]),
    [['pg-accepted', 'success']],
  );

  const dry = await client.callTool({
    name: 'cluster_delete',
    arguments: { name: 'pg-declined', confirm: 'pg-declined', dry_run: true },
  });
  assert.equal(dry.isError, undefined, textOf(dry));
  assert.equal(asked.length, 3, 'a dry run is not asked about');
});

test('only the calls that are destructive are asked about: a scale-up runs, a declined scale-down writes nothing', async (t) => {
  const stack = await startStack(t, { stepDelayMs: 1 });
  await createClusters(stack, ['pg-scale']);
  const asked: string[] = [];
  const { client } = await session(t, stack, [], { elicitation: { form: {} } });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return { action: 'decline' };
  });
  const instances = async () => {
    await stack.kube.settle();
    return (
      (await stack.admin.custom.getNamespacedCustomObject({ ...CLUSTERS, name: 'pg-scale' })) as {
        spec: { instances: number };
      }
    ).spec.instances;
  };
  const up = await client.callTool({ name: 'cluster_scale', arguments: { name: 'pg-scale', instances: 3 } });
  assert.equal(up.isError, undefined, textOf(up));
  assert.deepEqual(asked, [], 'a scale-up is not asked about (its dry run said so)');
  assert.equal(await instances(), 3);
  const down = await client.callTool({
    name: 'cluster_scale',
    arguments: { name: 'pg-scale', instances: 1 },
  });
  assert.match(
    textOf(down),
    /^cluster_scale did not run: the person declined\. Nothing was sent to the server\.$/,
  );
  assert.match(asked[0] ?? '', /^Scale cluster pg-scale \(namespace your default\) to 1 instances\?/);
  assert.equal(await instances(), 3);
});

test('without elicitation the confirm argument is what confirms, as before', async (t) => {
  const stack = await startStack(t, { stepDelayMs: 1 });
  await createClusters(stack, ['pg-plain']);
  const { client } = await session(t, stack);
  const wrong = await client.callTool({
    name: 'cluster_delete',
    arguments: { name: 'pg-plain', confirm: 'other' },
  });
  assert.match(
    textOf(wrong),
    /confirmation required: set confirm to the cluster name "pg-plain" \(got "other"\)/,
  );
  assert.ok(await clusterExists(stack, 'pg-plain'), "await clusterExists(stack, 'pg-plain')");
  const right = await client.callTool({
    name: 'cluster_delete',
    arguments: { name: 'pg-plain', confirm: 'pg-plain' },
  });
  assert.equal(right.isError, undefined, textOf(right));
  assert.equal(await clusterExists(stack, 'pg-plain'), false);
});

test("Gemini CLI's wait_for_previous passes through and is named; the call runs", async (t) => {
  const stack = await startStack(t, { stepDelayMs: 1 });
  const { client } = await session(t, stack);
  // As @google/gemini-cli-core 0.61 calls: the tool's arguments plus its own wait_for_previous boolean.
  const result = await client.callTool({ name: 'cluster_list', arguments: { wait_for_previous: false } });
  assert.equal(result.isError, undefined, textOf(result));
  assert.deepEqual((result.structuredContent as { clusters?: unknown }).clusters, []);
  assert.match(
    textOf(result),
    /Ignored unknown argument wait_for_previous: cluster_list does not take it\.$/,
  );
});
