import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { connectMcpRemote } from '../../support/mcp-remote.js';
import { launchBrowser, startUrlOnlyStack, type UrlOnlyStack } from '../../support/url-only.js';

/**
 * mcp-remote given only the /mcp URL: it discovers the authorization server, registers, the person
 * signs in (headless Chromium), then it lists tools and calls a write tool in dry run. No extra
 * flags: no audience, no scope, no client id.
 */
for (const mode of ['proxy', 'pass-through'] as const) {
  describe(`mcp-remote with only the /mcp URL (${mode})`, () => {
    let env: UrlOnlyStack;
    let browser: Browser;

    before(async () => {
      env = await startUrlOnlyStack(mode);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser.close();
      await env.close();
    });

    test('signs in as alice in Chromium, lists tools and creates a cluster in dry run', async () => {
      const session = await connectMcpRemote(env.api.mcpUrl.href, browser);
      try {
        const callback = `http://localhost:${session.callbackPort}/oauth/callback`;
        if (mode === 'proxy') {
          assert.match(session.login.consentTexts[0] ?? '', /Allow .+ to use cnpg-mcp\?/);
          assert.ok(
            session.login.consentTexts[0]?.includes(callback),
            'the consent page names the redirect URI',
          );
        }
        const { tools } = await session.client.listTools();
        assert.ok(
          tools.some((tool) => tool.name === 'cluster_create'),
          "tools.some((tool) => tool.name === 'cluster_create')",
        );
        const who = (await session.client.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
          email: string;
        };
        assert.equal(who.email, 'alice@example.com');
        const created = await session.client.callTool({
          name: 'cluster_create',
          arguments: { name: 'orders', storage_size: '1Gi', dry_run: true },
        });
        assert.notEqual(created.isError, true, JSON.stringify(created.content));
        assert.equal(
          (session.stderr().match(/Please authorize this client/g) ?? []).length,
          1,
          'one login, no step-up: the first challenge already named the write scope',
        );
        // The client may add offline_access where the provider offers it (pass-through).
        const scopeAsked = new URL(session.authorizationUrl).searchParams.get('scope')?.split(' ') ?? [];
        assert.ok(scopeAsked.includes('mcp:read') && scopeAsked.includes('mcp:write'), scopeAsked.join(' '));
      } finally {
        await session.close();
      }
    });
  });
}
