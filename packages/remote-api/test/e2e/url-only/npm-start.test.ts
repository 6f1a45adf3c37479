import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectMcpRemote } from '../../support/mcp-remote.js';
import { launchBrowser } from '../../support/url-only.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

test('npm start offers its /mcp URL to URL-only clients: mcp-remote with only that URL creates a cluster in dry run', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DEVSTACK_OIDC_PORT: '0',
      DEVSTACK_KUBE_PORT: '0',
      DEVSTACK_KUBE_HTTPS_PORT: '0',
      CNPG_MCP_DEV_REMOTE_PORT: '0',
      CNPG_MCP_DEV_STATE_DIR: stateDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
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
    child.once('exit', () => reject(new Error(`npm start exited early:\n${stdout}\n${stderr}`)));
  });
  const mcpUrl = /npx mcp-remote (\S+)/.exec(stdout)?.[1];
  assert.ok(mcpUrl, stdout);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const session = await connectMcpRemote(mcpUrl, browser);
  try {
    assert.match(
      session.login.consentTexts[0] ?? '',
      /Allow .+ to use cnpg-mcp\?/,
      'proxy mode: the remote asks first',
    );
    const created = await session.client.callTool({
      name: 'cluster_create',
      arguments: { name: 'tried-locally', storage_size: '1Gi', dry_run: true },
    });
    assert.notEqual(created.isError, true, JSON.stringify(created.content));
  } finally {
    await session.close();
  }
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
});
