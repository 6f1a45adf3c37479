import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { loginAsPerson } from '@cnpg-mcp/devstack';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { packageDir, privateHome } from '../support/helpers.js';
import { credentials } from '../support/stack.js';

const root = join(packageDir, '..', '..');

interface DesktopEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

test('npm start prints a Claude Desktop entry that works: log in, create a cluster; Ctrl-C stops it', async (t) => {
  const home = privateHome(t);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DEVSTACK_OIDC_PORT: '0',
      DEVSTACK_KUBE_PORT: '0',
      DEVSTACK_KUBE_HTTPS_PORT: '0',
      CNPG_MCP_DEV_REMOTE_PORT: '0',
      CNPG_MCP_DEV_STATE_DIR: join(home.dir, 'devstack'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Try: ')) resolve();
    });
    void exited.then(() => reject(new Error(`npm start exited early:\n${stdout}\n${stderr}`)));
  });
  const json = /restart Claude Desktop:\n\n(\{[\s\S]*?\n\})\n/.exec(stdout)?.[1];
  assert.ok(json, stdout);
  const entry = (JSON.parse(json) as { mcpServers: Record<string, DesktopEntry> }).mcpServers['cnpg-dev'];
  assert.ok(entry, 'entry');
  assert.equal(entry.command, process.execPath);
  assert.match(stdout, /alice +\/ alice-password/);

  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    // The person's machine: the entry's settings; here the callback port is any free one.
    env: { ...home.env, ...entry.env, CNPG_MCP_CALLBACK_PORT: '0', CNPG_MCP_LOGIN_MODE: 'browser' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
  await client.connect(transport);
  t.after(() => client.close());
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(String(notification.params.data))?.[1];
    if (url) void loginAsPerson(url, credentials('alice'));
  });
  const created = await client.callTool(
    { name: 'cluster_create', arguments: { name: 'orders', instances: 2, storage_size: '1Gi', wait: true } },
    undefined,
    { resetTimeoutOnProgress: true, onprogress: () => {} },
  );
  assert.equal(created.isError, undefined, JSON.stringify(created.content));
  assert.equal((created.structuredContent as { readyInstances: number }).readyInstances, 2);
  await client.close();

  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.match(stdout, /SIGINT: stopping the dev stack/);
});
