import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser } from 'playwright-core';
import {
  freePort,
  launchBrowser,
  signInWithBrowser,
  startUrlOnlyStack,
  type UrlOnlyStack,
} from '../../support/url-only.js';

/**
 * mcp-remote (a real, unmodified MCP client from npm) given only the /mcp URL: it discovers the
 * authorization server, registers, opens the login (driven here in headless Chromium as a person
 * would: the remote's consent page, the provider's sign-in and consent), then lists tools and
 * calls a write tool in dry run. No extra flags: no audience, no scope, no client id.
 */
const MCP_REMOTE = fileURLToPath(
  new URL('../../../../../node_modules/mcp-remote/dist/proxy.js', import.meta.url),
);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const mode of ['proxy', 'pass-through'] as const) {
  describe(`mcp-remote with only the /mcp URL (${mode})`, () => {
    let env: UrlOnlyStack;
    let browser: Browser;
    const configDir = mkdtempSync(join(tmpdir(), 'mcp-remote-'));

    before(async () => {
      env = await startUrlOnlyStack(mode);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser.close();
      await env.close();
      rmSync(configDir, { recursive: true, force: true });
    });

    test('signs in as alice in Chromium, lists tools and creates a cluster in dry run', async () => {
      const callbackPort = await freePort();
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [MCP_REMOTE, env.api.mcpUrl.href, String(callbackPort)],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: configDir,
          MCP_REMOTE_CONFIG_DIR: configDir,
          // The "browser" mcp-remote opens does nothing: the test drives Chromium itself.
          BROWSER: '/bin/true',
        },
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const client = new Client({ name: 'mcp-remote-test', version: '1' });
      const connected = client.connect(transport);
      try {
        const authorizationUrl = await waitFor(
          'the authorization URL on stderr',
          () => /Please authorize this client by visiting:\s+(\S+)/.exec(stderr)?.[1],
        );
        const page = await browser.newPage();
        const login = await signInWithBrowser(page, authorizationUrl, {
          done: (url) => url.startsWith(`http://localhost:${callbackPort}/oauth/callback`),
        });
        if (mode === 'proxy') {
          assert.match(login.consentTexts[0] ?? '', /Allow .+ to use cnpg-mcp\?/);
          assert.ok(login.consentTexts[0]?.includes(`http://localhost:${callbackPort}/oauth/callback`));
        }
        await connected;
        await page.close();

        const { tools } = await client.listTools();
        assert.ok(tools.some((tool) => tool.name === 'cluster_create'));
        const who = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
          email: string;
        };
        assert.equal(who.email, 'alice@example.com');
        const created = await client.callTool({
          name: 'cluster_create',
          arguments: { name: 'orders', storage_size: '1Gi', dry_run: true },
        });
        assert.notEqual(created.isError, true, JSON.stringify(created.content));
        assert.equal(
          (stderr.match(/Please authorize this client/g) ?? []).length,
          1,
          'one login, no step-up: the first challenge already named the write scope',
        );
        // The client may add offline_access where the provider offers it (pass-through).
        const scopeAsked = new URL(authorizationUrl).searchParams.get('scope')?.split(' ') ?? [];
        assert.ok(scopeAsked.includes('mcp:read') && scopeAsked.includes('mcp:write'), scopeAsked.join(' '));
      } catch (error) {
        throw new Error(`${(error as Error).message}\nmcp-remote stderr:\n${stderr.slice(-3000)}`);
      } finally {
        await client.close().catch(() => {});
      }
    });
  });
}
