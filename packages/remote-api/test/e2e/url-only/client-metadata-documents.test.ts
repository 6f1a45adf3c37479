import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Browser } from 'playwright-core';
import { selfSignedCertificate } from '../../../../devstack/src/kube/util/tls.js';
import { type LocalStack, startLocalStack } from '../../../../devstack/src/stack.js';
import {
  type CallbackListener,
  freePort,
  launchBrowser,
  PROXY_CLIENT_ID,
  proxyKey,
  signInWithBrowser,
  startCallbackListener,
} from '../../support/url-only.js';

/**
 * Client ID metadata documents: the SDK client names itself by an HTTPS URL; the remote (the real
 * entry point, trusting the test's certificate through NODE_EXTRA_CA_CERTS) fetches it, shows its
 * name on the consent page, and the login completes. Without the tests-only setting, documents on
 * loopback or private addresses are never fetched (SSRF).
 */
const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

describe('client ID metadata documents (proxy mode)', () => {
  let stack: LocalStack;
  let browser: Browser;
  let callback: CallbackListener;
  let documents: Server;
  let documentUrl: string;
  let remote: ChildProcess;
  let remoteUrl: string;
  let fetches = 0;

  before(async () => {
    stack = await startLocalStack({ remoteApi: false });
    browser = await launchBrowser();
    callback = await startCallbackListener();
    const dir = mkdtempSync(join(tmpdir(), 'cimd-'));
    const { certPem, keyPem } = selfSignedCertificate(dir);
    writeFileSync(join(dir, 'ca.pem'), certPem);
    documents = createHttpsServer({ cert: certPem, key: keyPem }, (_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      res.end(
        JSON.stringify({
          client_id: documentUrl,
          client_name: 'Metadata Document Client',
          redirect_uris: [callback.redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
        }),
      );
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    documentUrl = `https://127.0.0.1:${(documents.address() as AddressInfo).port}/oauth/client.json`;

    const port = await freePort();
    remoteUrl = `http://127.0.0.1:${port}`;
    const secret = 'proxy-secret-for-the-cimd-test';
    stack.oidc.addClient({
      client_id: PROXY_CLIENT_ID,
      client_secret: secret,
      redirect_uris: [`${remoteUrl}/oauth/callback`],
    });
    remote = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
        HOST: '127.0.0.1',
        PORT: String(port),
        OIDC_ISSUER: stack.issuer,
        OIDC_AUDIENCE: stack.audience,
        KUBECONFIG: stack.kubeconfigPath,
        OAUTH_MODE: 'proxy',
        OAUTH_PROXY_CLIENT_ID: PROXY_CLIENT_ID,
        OAUTH_PROXY_CLIENT_SECRET: secret,
        OAUTH_PROXY_KEYS: proxyKey(),
        CLIENT_METADATA_ALLOW_PRIVATE_ADDRESSES: 'true',
        AUDIT_LOG: 'stderr',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    remote.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const deadline = Date.now() + 90000;
    while (!stderr.includes('remote API listening')) {
      assert.ok(Date.now() < deadline && remote.exitCode === null, `the remote API did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    remote?.kill('SIGKILL');
    documents?.closeAllConnections();
    await new Promise<void>((resolve) => (documents ? documents.close(() => resolve()) : resolve()));
    await callback?.close();
    await browser?.close();
    await stack?.close();
  });

  test('the SDK client identified by its document URL logs in and lists tools', async () => {
    let tokens: OAuthTokens | undefined;
    let verifier = '';
    let client: { client_id: string } | undefined;
    const authorizations: URL[] = [];
    const page = await browser.newPage();
    const consent: string[] = [];
    const provider: OAuthClientProvider = {
      clientMetadataUrl: documentUrl,
      get redirectUrl() {
        return callback.redirectUri;
      },
      get clientMetadata(): OAuthClientMetadata {
        return { client_name: 'Metadata Document Client', redirect_uris: [callback.redirectUri] };
      },
      clientInformation: () => client,
      saveClientInformation: (info) => {
        client = info;
      },
      tokens: () => tokens,
      saveTokens: (saved) => {
        tokens = saved;
      },
      redirectToAuthorization: async (url) => {
        authorizations.push(url);
        const login = await signInWithBrowser(page, url.href, {
          done: (current) => current.startsWith(callback.redirectUri),
        });
        consent.push(...login.consentTexts);
      },
      saveCodeVerifier: (value) => {
        verifier = value;
      },
      codeVerifier: () => verifier,
    };
    const mcpUrl = new URL(`${remoteUrl}/mcp`);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await assert.rejects(new Client({ name: 'cimd', version: '1' }).connect(first), UnauthorizedError);
    assert.equal(
      authorizations[0]?.searchParams.get('client_id'),
      documentUrl,
      'no registration: the URL is the id',
    );
    assert.match(consent[0] ?? '', /Allow Metadata Document Client to use cnpg-mcp\?/);
    assert.ok(
      consent[0]?.includes(`identified by ${documentUrl}`),
      'the consent page names the client metadata document',
    );
    await first.finishAuth(callback.received.at(-1)?.searchParams.get('code') ?? '');
    const mcp = new Client({ name: 'cimd', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    assert.ok((await mcp.listTools()).tools.length > 0, '(await mcp.listTools()).tools.length > 0');
    await mcp.close();
    await page.close();
    assert.ok(fetches >= 1, 'fetches >= 1');
  });

  test('by default a document on a loopback or private address is never fetched', async () => {
    const strict = await stack.startApi({
      env: {
        OAUTH_MODE: 'proxy',
        OAUTH_PROXY_CLIENT_ID: PROXY_CLIENT_ID,
        OAUTH_PROXY_KEYS: proxyKey(),
      },
    });
    const before = fetches;
    for (const clientId of [
      documentUrl,
      documentUrl.replace('127.0.0.1', 'localhost'),
      'https://10.1.2.3/client.json',
    ]) {
      const url = new URL(`${strict.url}/oauth/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: callback.redirectUri,
        code_challenge: 'A'.repeat(43),
        code_challenge_method: 'S256',
      }).toString();
      const page = await fetch(url, { redirect: 'manual' });
      assert.equal(page.status, 400, clientId);
      assert.equal(page.headers.get('location'), null);
      assert.match(await page.text(), /non-public address/);
    }
    assert.equal(fetches, before, 'the document server was never contacted');
  });
});
