import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';

/** Helpers for URL-only MCP clients: a stack in proxy or pass-through mode, a real browser, a callback. */

export const PROXY_CLIENT_ID = 'cnpg-mcp-remote';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const proxyKey = () => randomBytes(32).toString('base64url');

export interface UrlOnlyStack {
  stack: LocalStack;
  api: StackApi;
  /** Another replica with the same keys and settings (proxy mode). */
  startReplica(): Promise<StackApi>;
  close(): Promise<void>;
}

/**
 * The local stack with a remote API that URL-only clients can use. proxy: the remote is their
 * authorization server and logs in at the provider with its own confidential client (registered
 * at the provider once the remote's callback URL is known, as setup-auth0 does for a tenant).
 * pass-through: the provider registers clients itself and issues tokens for the MCP URL.
 */
export async function startUrlOnlyStack(
  mode: 'proxy' | 'pass-through',
  options: { env?: Record<string, string>; policy?: Record<string, unknown> } = {},
): Promise<UrlOnlyStack> {
  const stack = await startLocalStack({
    oidc: { dynamicRegistration: mode === 'pass-through' },
    kube: { stepDelayMs: 5 },
    remoteApi: false,
  });
  const clientSecret = randomBytes(24).toString('base64url');
  const env: Record<string, string> =
    mode === 'proxy'
      ? {
          OAUTH_MODE: 'proxy',
          OAUTH_PROXY_CLIENT_ID: PROXY_CLIENT_ID,
          OAUTH_PROXY_CLIENT_SECRET: clientSecret,
          OAUTH_PROXY_KEYS: proxyKey(),
          CLIENT_METADATA_ALLOW_PRIVATE_ADDRESSES: 'true',
          ...options.env,
        }
      : { ...options.env };
  const start = () => stack.startApi({ env, ...(options.policy ? { policy: options.policy } : {}) });
  const api = await start();
  if (mode === 'proxy') {
    stack.oidc.addClient({
      client_id: PROXY_CLIENT_ID,
      client_secret: clientSecret,
      redirect_uris: [`${api.url}/oauth/callback`],
    });
  } else {
    stack.oidc.addResourceServer(api.mcpUrl.href);
  }
  return {
    stack,
    api,
    // Replicas sit behind one public URL; this one also answers its own address (a test talks to it directly).
    startReplica: async () => {
      const port = await freePort();
      return stack.startApi({
        env: { ...env, PORT: String(port), PUBLIC_URL: api.url, ALLOWED_HOSTS: `127.0.0.1:${port}` },
        ...(options.policy ? { policy: options.policy } : {}),
      });
    },
    close: () => stack.close(),
  };
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface BrowserLogin {
  /** Texts of the consent pages seen (the remote's, then the provider's). */
  consentTexts: string[];
  finalUrl: string;
}

/**
 * What a person does in the browser: opens the authorization URL, approves (or denies) the
 * remote's consent page, signs in at the provider, approves its consent, and ends at the client's
 * redirect URI (`done` tells when).
 */
export async function signInWithBrowser(
  page: Page,
  authorizationUrl: string,
  options: {
    username?: string;
    decision?: 'allow' | 'deny';
    done: (url: string) => boolean;
  },
): Promise<BrowserLogin> {
  const username = options.username ?? 'alice';
  const consentTexts: string[] = [];
  const step = async (): Promise<'done' | 'more'> => {
    if (options.done(page.url())) return 'done';
    const next = await Promise.race([
      page.waitForSelector('#allow', { timeout: 20000 }).then(() => 'remote-consent' as const),
      page.waitForSelector('#username', { timeout: 20000 }).then(() => 'provider-login' as const),
      page.waitForSelector('#authorize', { timeout: 20000 }).then(() => 'provider-consent' as const),
      page.waitForURL((url) => options.done(url.href), { timeout: 20000 }).then(() => 'done' as const),
    ]);
    if (next === 'done') return 'done';
    if (next === 'remote-consent') {
      consentTexts.push((await page.textContent('main')) ?? '');
      await page.click(options.decision === 'deny' ? '#deny' : '#allow');
    } else if (next === 'provider-login') {
      await page.fill('#username', username);
      await page.fill('#password', `${username}-password`);
      await page.click('#sign-in');
    } else {
      consentTexts.push((await page.textContent('main')) ?? '');
      await page.click('#authorize');
    }
    await page.waitForLoadState('load');
    return 'more';
  };
  await page.goto(authorizationUrl);
  try {
    for (let count = 0; count < 10; count++) if ((await step()) === 'done') break;
  } catch (error) {
    const text = (await page.textContent('body').catch(() => '')) ?? '';
    throw new Error(
      `the login stopped at ${page.url()}: ${text.replace(/\s+/g, ' ').slice(0, 400)} (${(error as Error).message.split('\n')[0]})`,
    );
  }
  if (!options.done(page.url()))
    throw new Error(`the login did not reach the client; it stopped at ${page.url()}`);
  return { consentTexts, finalUrl: page.url() };
}

/** A loopback redirect URI that records what arrives and answers like a client's callback page. */
export interface CallbackListener {
  redirectUri: string;
  received: URL[];
  close(): Promise<void>;
}

export async function startCallbackListener(path = '/callback'): Promise<CallbackListener> {
  const received: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === path) received.push(url);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<h1 id="done">You can close this window.</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
