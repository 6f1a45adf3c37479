import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { DEFAULT_SELECTION, toolListForMcp } from '@cnpg-mcp/catalog';
import { loginAsPerson } from '@cnpg-mcp/devstack';
import { selectedTools } from '../../src/serve/tool-selection.js';
import { builtCli, loginWithCli, packageDir, privateHome } from '../support/helpers.js';
import { credentials, startStack } from '../support/stack.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const inspectorCli = join(
  dirname(require.resolve('@modelcontextprotocol/inspector-cli/package.json')),
  'build',
  'cli.js',
);

/**
 * The MCP Inspector CLI (1.0.3, the last one that runs on Node 20) against the built cnpg-mcp.
 * It reads its own package.json through a path relative to the working directory, so it runs
 * from a directory whose parent has a package.json (this package's test/ folder).
 */
async function inspector(env: Record<string, string>, cli: string, ...method: string[]): Promise<unknown> {
  const settings = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const { stdout } = await run(
    process.execPath,
    [inspectorCli, '--cli', ...settings, process.execPath, cli, '--method', ...method],
    { cwd: join(packageDir, 'test'), timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

test('MCP Inspector CLI lists and calls tools through stdio → sidecar → remote API → emulator', async (t) => {
  const stack = await startStack(t);
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...stack.settingsEnv };
  const login = await loginWithCli(cli, env, (url) => loginAsPerson(url, credentials('alice')));
  assert.equal(login.code, 0, login.stderr);

  const serverEnv = { ...stack.settingsEnv };
  for (const name of [
    'HOME',
    'XDG_RUNTIME_DIR',
    'XDG_CACHE_HOME',
    'XDG_CONFIG_HOME',
    'CNPG_MCP_IDLE_EXIT_SECONDS',
  ] as const) {
    serverEnv[name] = home.env[name] ?? '';
  }
  const listed = (await inspector(serverEnv, cli, 'tools/list')) as { tools: Array<{ name: string }> };
  assert.deepEqual(
    listed.tools.map((tool) => tool.name),
    selectedTools(toolListForMcp(), DEFAULT_SELECTION).map((tool) => tool.name),
  );

  const whoami = (await inspector(serverEnv, cli, 'tools/call', '--tool-name', 'whoami')) as {
    structuredContent: { email: string };
  };
  assert.equal(whoami.structuredContent.email, 'alice@example.com');

  const created = (await inspector(
    serverEnv,
    cli,
    'tools/call',
    '--tool-name',
    'cluster_create',
    '--tool-arg',
    'name=inspected',
    'storage_size=1Gi',
  )) as { isError?: boolean; structuredContent: { name: string; action: string } };
  assert.equal(created.isError, undefined, JSON.stringify(created));
  assert.equal(created.structuredContent.name, 'inspected');
  const cluster = await fetch(
    `${stack.kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/clusters/inspected`,
    {
      headers: { authorization: `Bearer ${stack.kube.token}` },
    },
  );
  assert.equal(cluster.status, 200, 'the cluster exists in the emulated Kubernetes API');
});
