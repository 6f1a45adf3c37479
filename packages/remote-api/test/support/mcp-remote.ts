import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser } from 'playwright-core';
import { type BrowserLogin, freePort, signInWithBrowser } from './url-only.js';

/**
 * mcp-remote (a real, unmodified MCP client from npm) given only an /mcp URL. It prints the
 * authorization URL and waits for its loopback callback; the person's part (the remote's consent
 * page, the provider's sign-in and consent) is done in headless Chromium.
 */
const MCP_REMOTE = fileURLToPath(
  new URL('../../../../node_modules/mcp-remote/dist/proxy.js', import.meta.url),
);

export interface McpRemoteSession {
  client: Client;
  authorizationUrl: string;
  login: BrowserLogin;
  callbackPort: number;
  stderr(): string;
  close(): Promise<void>;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function connectMcpRemote(
  mcpUrl: string,
  browser: Browser,
  username = 'alice',
): Promise<McpRemoteSession> {
  const configDir = mkdtempSync(join(tmpdir(), 'mcp-remote-'));
  const callbackPort = await freePort();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, mcpUrl, String(callbackPort)],
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
  const close = async () => {
    await client.close().catch(() => {});
    rmSync(configDir, { recursive: true, force: true });
  };
  const connected = client.connect(transport);
  try {
    const authorizationUrl = await waitFor(
      'the authorization URL on stderr',
      () => /Please authorize this client by visiting:\s+(\S+)/.exec(stderr)?.[1],
    );
    const page = await browser.newPage();
    const login = await signInWithBrowser(page, authorizationUrl, {
      username,
      done: (url) => url.startsWith(`http://localhost:${callbackPort}/oauth/callback`),
    });
    await connected;
    await page.close();
    return { client, authorizationUrl, login, callbackPort, stderr: () => stderr, close };
  } catch (error) {
    await close();
    throw new Error(`${(error as Error).message}\nmcp-remote stderr:\n${stderr.slice(-3000)}`);
  }
}
