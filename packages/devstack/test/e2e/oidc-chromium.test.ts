import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidcClient from 'openid-client';
import { chromium } from 'playwright-core';
import { DEFAULT_SCOPE, discoverDevClient, startDevOidc } from '../../src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

test('a person signs in with a real headless Chromium and reaches the loopback callback', async () => {
  const oidc = await startDevOidc();
  const cleanups: Array<() => Promise<void>> = [];
  let callbackUrl: string | undefined;
  const listener = createServer((req, res) => {
    if (req.url?.startsWith('/callback?')) callbackUrl = `http://${req.headers.host}${req.url}`;
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<h1 id="done">Login complete</h1>');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
  const browserLaunch = chromium.launch({
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
  try {
    const browser = await browserLaunch;
    cleanups.push(() => browser.close());
    const config = await discoverDevClient(oidc);
    const verifier = oidcClient.randomPKCECodeVerifier();
    const state = oidcClient.randomState();
    const nonce = oidcClient.randomNonce();
    const url = oidcClient.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: DEFAULT_SCOPE,
      code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      audience: oidc.audience,
    });

    const page = await browser.newPage();
    await page.goto(url.href);
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-password');
    await page.click('#sign-in');
    await page.waitForSelector('#authorize');
    assert.match((await page.textContent('body')) ?? '', /mcp:write/);
    await page.click('#authorize');
    await page.waitForSelector('#done');
    assert.equal(await page.textContent('#done'), 'Login complete');

    assert.ok(callbackUrl, 'the loopback listener received the redirect');
    const tokens = await oidcClient.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${oidc.issuer}/jwks`)),
      {
        issuer: oidc.issuer,
        audience: oidc.audience,
      },
    );
    assert.equal(payload.preferred_username, 'alice');
  } finally {
    await browserLaunch.catch(() => undefined);
    for (const cleanup of cleanups) await cleanup();
    listener.closeAllConnections();
    listener.close();
    await oidc.close();
  }
});
