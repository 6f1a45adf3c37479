import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDevOidc } from '@cnpg-mcp/devstack';
import { chromium } from 'playwright-core';
import { interactiveLogin, SidecarClient, startSidecar } from '../../src/index.js';
import { expectLogin, scratchDir, startRemote, testSettings } from '../support/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

test('a person logs in with a real headless Chromium; the page says success only after the exchange', async (t) => {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const settings = testSettings(scratchDir(t), oidc, remote.url);
  const sidecar = await startSidecar({ settings, log: () => {}, env: {}, hasDisplay: () => true });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  t.after(() => browser.close());

  // What `cnpg-mcp login` shows on stderr; the person copies the URL into their browser.
  const written: string[] = [];
  const login = interactiveLogin(client, {
    mode: 'browser',
    openBrowser: false,
    write: (text) => written.push(text),
    timeoutMs: 30_000,
  });
  let url: string | undefined;
  for (let i = 0; i < 200 && !url; i++) {
    url = /https?:\/\/\S+\/auth\?\S+/.exec(written.join(''))?.[0];
    if (!url) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(url, `the authorization URL is printed: ${written.join('')}`);

  const page = await browser.newPage();
  await page.goto(url);
  await page.fill('#username', 'admin');
  await page.fill('#password', 'admin-password');
  await page.click('#sign-in');
  await page.waitForSelector('#authorize');
  await page.click('#authorize');
  await page.waitForURL(/127\.0\.0\.1:\d+\/callback/);
  assert.match((await page.textContent('body')) ?? '', /logged in as admin@example\.com/);
  assert.equal((await client.status()).loggedIn, true, 'the token was stored before the page said so');

  const outcome = expectLogin(await login, 'logged_in');
  assert.match(written.join(''), /your login is stored in a FILE \(CNPG_MCP_TOKEN_STORE=file\)/);
  assert.equal(outcome.user?.name, 'Ada Admin');
});
