import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { catalog } from '@cnpg-mcp/catalog';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Browser } from 'playwright-core';
import {
  type CallbackListener,
  launchBrowser,
  signInWithBrowser,
  startCallbackListener,
  startUrlOnlyStack,
  type UrlOnlyStack,
} from '../../support/url-only.js';

/**
 * The MCP SDK's own client OAuth flow, given only the /mcp URL: discovery from the 401, dynamic
 * registration, PKCE, the browser login (real Chromium), the token, tools, a write in dry run.
 */
class BrowserOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  stored: OAuthTokens | undefined;
  verifier = '';
  authorizations: URL[] = [];

  constructor(
    private readonly callback: CallbackListener,
    private readonly signIn: (url: URL) => Promise<void>,
  ) {}

  get redirectUrl() {
    return this.callback.redirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK test client',
      redirect_uris: [this.callback.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: OAuthTokens) {
    this.stored = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizations.push(url);
    await this.signIn(url);
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

async function connectWithOAuth(mcpUrl: URL, provider: BrowserOAuthProvider, callback: CallbackListener) {
  const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
  await assert.rejects(new Client({ name: 'sdk-oauth', version: '1' }).connect(first), UnauthorizedError);
  const code = callback.received.at(-1)?.searchParams.get('code');
  assert.ok(code, 'the browser brought a code back to the client');
  await first.finishAuth(code);
  const client = new Client({ name: 'sdk-oauth', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  return client;
}

for (const mode of ['proxy', 'pass-through'] as const) {
  describe(`the MCP SDK client with only the /mcp URL (${mode})`, () => {
    let env: UrlOnlyStack;
    let browser: Browser;
    let callback: CallbackListener;

    before(async () => {
      env = await startUrlOnlyStack(mode);
      browser = await launchBrowser();
      callback = await startCallbackListener();
    });
    after(async () => {
      await callback.close();
      await browser.close();
      await env.close();
    });

    test('logs in as alice in Chromium, lists tools and creates a cluster in dry run', async () => {
      const page = await browser.newPage();
      const provider = new BrowserOAuthProvider(callback, async (url) => {
        const login = await signInWithBrowser(page, url.href, {
          done: (current) => current.startsWith(callback.redirectUri),
        });
        if (mode === 'proxy') {
          assert.match(login.consentTexts[0] ?? '', /Allow SDK test client to use cnpg-mcp\?/);
          assert.ok(
            login.consentTexts[0]?.includes(callback.redirectUri),
            'the consent page shows the redirect URI',
          );
        }
      });
      const client = await connectWithOAuth(env.api.mcpUrl, provider, callback);
      assert.equal(provider.authorizations.length, 1);
      const authorization = provider.authorizations[0]!;
      assert.equal(authorization.searchParams.get('resource'), env.api.mcpUrl.href);
      assert.equal(
        authorization.searchParams.get('scope'),
        'mcp:read mcp:write',
        'scopes from the first challenge',
      );
      if (mode === 'proxy') assert.equal(authorization.origin, new URL(env.api.url).origin);
      else assert.equal(authorization.origin, new URL(env.stack.issuer).origin);

      const { tools } = await client.listTools();
      assert.ok(
        tools.some((tool) => tool.name === 'cluster_create'),
        "tools.some((tool) => tool.name === 'cluster_create')",
      );
      const who = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
        email: string;
        canWrite: boolean;
      };
      assert.equal(who.email, 'alice@example.com');
      const created = await client.callTool({
        name: 'cluster_create',
        arguments: { name: 'orders', storage_size: '1Gi', dry_run: true },
      });
      assert.notEqual(created.isError, true, JSON.stringify(created.content));
      const clusters = await env.stack.admin.custom
        .listNamespacedCustomObject({
          group: 'postgresql.cnpg.io',
          version: 'v1',
          namespace: 'default',
          plural: 'clusters',
        })
        .catch(() => ({ items: [] }));
      assert.equal((clusters as { items: unknown[] }).items.length, 0, 'dry run: nothing was created');
      await client.close();
      await page.close();
    });

    test('a URL that chooses toolsets and read-only mode logs in for the same resource and lists only those', async () => {
      const page = await browser.newPage();
      const provider = new BrowserOAuthProvider(callback, async (url) => {
        await signInWithBrowser(page, url.href, {
          done: (current) => current.startsWith(callback.redirectUri),
        });
      });
      const chosen = new URL(`${env.api.url}/mcp/x/backups,observability/readonly`);
      const client = await connectWithOAuth(chosen, provider, callback);
      assert.equal(provider.authorizations.at(-1)?.searchParams.get('resource'), env.api.mcpUrl.href);
      const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
      assert.deepEqual(
        names,
        catalog
          .filter(
            (tool) =>
              tool.name === 'whoami' ||
              (['backups', 'observability'] as (string | null)[]).includes(tool.group),
          )
          .filter((tool) => tool.annotations.readOnlyHint)
          .map((tool) => tool.name)
          .sort(),
      );
      await client.close();
      await page.close();
    });
  });
}
