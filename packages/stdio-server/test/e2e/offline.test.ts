import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { DEFAULT_SELECTION, promptListForMcp, resourceTemplates, toolListForMcp } from '@cnpg-mcp/catalog';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { selectedTools } from '../../src/serve/tool-selection.js';
import { builtCli, connectOverStdio, privateHome, sidecarSockets } from '../support/helpers.js';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function unreachableSettings(): Promise<Record<string, string>> {
  const port = await closedPort();
  return {
    CNPG_MCP_ISSUER: `http://127.0.0.1:${port}`,
    CNPG_MCP_CLIENT_ID: 'cnpg-mcp',
    CNPG_MCP_AUDIENCE: 'https://cnpg-mcp.local/api',
    CNPG_MCP_REMOTE_URL: `http://127.0.0.1:${port}/mcp`,
    CNPG_MCP_TOKEN_STORE: 'file',
    CNPG_MCP_CALLBACK_PORT: '0',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '1',
    // Any attempt to use the network through a proxy fails too.
    HTTP_PROXY: `http://127.0.0.1:${port}`,
    HTTPS_PROXY: `http://127.0.0.1:${port}`,
  };
}

test('with the network unreachable and no login, the handshake and every list answer at once', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...(await unreachableSettings()) };
  const started = performance.now();
  const { client, stderr } = await connectOverStdio(t, cli, env);
  const connected = performance.now();
  // A raw request: Client.listTools() also compiles every output schema, which is client-side work.
  const { tools } = await client.request({ method: 'tools/list' }, ListToolsResultSchema);
  const listed = performance.now();
  t.diagnostic(
    `spawn + initialize: ${Math.round(connected - started)} ms; tools/list: ${Math.round(listed - connected)} ms`,
  );

  assert.deepEqual(
    tools,
    selectedTools(toolListForMcp(), DEFAULT_SELECTION),
    "tools/list is the catalogue's default toolsets, byte for byte",
  );
  assert.equal(client.getServerVersion()?.name, 'cnpg-mcp');
  assert.ok(
    client.getServerCapabilities()?.tools?.listChanged,
    'client.getServerCapabilities()?.tools?.listChanged',
  );
  assert.ok(listed - connected < 2000, `tools/list answered in ${Math.round(listed - connected)} ms`);
  assert.deepEqual((await client.listPrompts()).prompts, promptListForMcp());
  assert.ok(
    (await client.listResources()).resources.some((r) => r.uri === 'cnpg://clusters'),
    "(await client.listResources()).resources.some((r) => r.uri === 'cnpg://clusters')",
  );
  assert.deepEqual(
    (await client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate),
    resourceTemplates.map((r) => r.uriTemplate),
  );

  const result = await client.callTool({ name: 'whoami', arguments: {} });
  assert.equal(result.isError, true);
  const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
  assert.match(text, /127\.0\.0\.1/, `the error names what could not be reached: ${text}`);
  assert.doesNotMatch(stderr(), /Bearer\s+ey/);
  assert.doesNotMatch(
    stderr(),
    / cnpg-mcp (info|debug): /,
    'by default stderr carries warnings and errors only',
  );
  assert.match(stderr(), / cnpg-mcp warn: the tool whoami failed/);
});

test('without any settings the server still starts, lists tools, and a call names the missing settings', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const { client } = await connectOverStdio(t, cli, home.env);
  assert.equal(
    (await client.listTools()).tools.length,
    selectedTools(toolListForMcp(), DEFAULT_SELECTION).length,
  );
  const result = await client.callTool({ name: 'cluster_list', arguments: {} });
  assert.equal(result.isError, true);
  const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
  for (const name of ['issuer', 'clientId', 'remoteUrl'])
    assert.match(text, new RegExp(`setting ${name} is required`));
  assert.match(text, /CNPG_MCP_ISSUER/);
});

test('stdout carries only JSON-RPC; the process exits 0 when stdin closes', async (t) => {
  const cli = await builtCli();
  const home = privateHome(t);
  const env = { ...home.env, ...(await unreachableSettings()), CNPG_MCP_LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [cli], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  send({ jsonrpc: '2.0', id: 3, method: 'ping' });
  const deadline = Date.now() + 10_000;
  while (!stdout.includes('"id":3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Nothing but the lists was asked for: no sidecar was started (start-up loads no forwarding code).
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(sidecarSockets(home.runtimeDir), []);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closedAt = performance.now();
  child.stdin.end();
  const code = await exited;
  t.diagnostic(`exit ${Math.round(performance.now() - closedAt)} ms after stdin closed`);

  assert.equal(code, 0, stderr);
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  assert.equal(lines.length, 3);
  for (const line of lines) assert.equal(JSON.parse(line).jsonrpc, '2.0');
  assert.match(
    stderr,
    / cnpg-mcp info: cnpg-mcp .* serving MCP on stdio/,
    'logs go to stderr, at the level asked for',
  );
});
