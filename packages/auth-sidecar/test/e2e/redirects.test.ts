// Nothing in the forwarding path follows a redirect, and no spelling of a request target crosses
// between the forwarding path (/mcp) and the control API (/logout, /token, …). The effects are
// checked where they would show: the token store, the provider, and what the remote received.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { type DevOidc, discoverDevClient, startDevOidc } from '@cnpg-mcp/devstack';
import * as oidcClient from 'openid-client';
import { request } from 'undici';
import {
  FileTokenStore,
  isSidecarError,
  type Settings,
  SIDECAR_BASE_URL,
  SidecarClient,
  startSidecar,
} from '../../src/index.js';
import {
  captureLog,
  forwardError,
  loginThroughSidecar,
  scratchDir,
  startRemote,
  testSettings,
} from '../support/helpers.js';

async function loggedIn(t: import('node:test').TestContext) {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const settings = testSettings(scratchDir(t), oidc, remote.url);
  const { log, lines } = captureLog();
  const sidecar = await startSidecar({ settings, log, env: {}, hasDisplay: () => true });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  await loginThroughSidecar(client);
  const stored = await storedToken(settings);
  return { oidc, remote, settings, sidecar, client, lines, stored };
}

async function storedToken(settings: Settings): Promise<string | undefined> {
  return (await new FileTokenStore(settings.configDir, settings, () => {}).load())?.refreshToken;
}

/** Still logged in, with the same refresh token, which the provider still accepts (never revoked). */
async function assertStillLoggedIn(
  oidc: DevOidc,
  settings: Settings,
  client: SidecarClient,
  stored: string | undefined,
): Promise<void> {
  assert.equal((await client.status()).loggedIn, true, 'the sidecar still has the login');
  assert.ok(stored, 'stored');
  assert.equal(await storedToken(settings), stored, 'the stored refresh token is untouched');
  const config = await discoverDevClient(oidc);
  const tokens = await oidcClient.refreshTokenGrant(config, stored, { audience: oidc.audience });
  assert.ok(tokens.access_token, 'the provider still accepts the refresh token: it was not revoked');
}

const mcpCall = {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_cluster' } }),
};

test("a remote redirecting a call to the sidecar's /logout is refused, naming the Location; the login survives", async (t) => {
  const { oidc, remote, settings, client, stored, lines } = await loggedIn(t);
  const locations = [
    '/logout',
    'http://anything/logout',
    `${SIDECAR_BASE_URL}/logout`,
    `${SIDECAR_BASE_URL}/mcp/../logout`,
    '/token',
  ];
  for (const [index, location] of locations.entries()) {
    remote.redirectNext(location, index % 2 === 0 ? 307 : 308);
    const error = await forwardError(client, mcpCall);
    assert.ok(isSidecarError(error, 'ERR_REDIRECT_REFUSED'), `${location}: ${error.code} ${error.message}`);
    assert.equal(error.body.location, location);
    assert.equal(error.body.status, index % 2 === 0 ? 307 : 308);
    assert.ok(error.message.includes(location), 'the message names where the redirect pointed');
    assert.match(error.message, /never follows redirects/);
  }
  assert.equal(
    remote.seen.length,
    locations.length,
    'each call reached the remote once, none was sent again',
  );
  assert.ok(
    remote.seen.every((seen) => seen.url === '/mcp' && seen.method === 'POST'),
    "remote.seen.every((seen) => seen.url === '/mcp' && seen.method === 'POST')",
  );
  assert.equal(oidc.tokenEndpointCalls().refresh_token ?? 0, 0, 'no token was touched');
  assert.ok(!lines.some((line) => /revocation|logged out/i.test(line)), lines.join('\n'));
  await assertStillLoggedIn(oidc, settings, client, stored);
});

test('the sidecar itself answers a redirect from the remote with an error, never with the 3xx', async (t) => {
  const { remote, sidecar } = await loggedIn(t);
  remote.redirectNext('/logout');
  // A plain HTTP client over the socket (no redirect handling of its own) sees what the sidecar sends.
  const response = await request(`${SIDECAR_BASE_URL}/mcp`, {
    ...mcpCall,
    dispatcher: new (await import('undici')).Agent({ connect: { socketPath: sidecar.socketPath } }),
  });
  assert.equal(response.statusCode, 502);
  assert.equal(response.headers['cnpg-mcp-error'], 'ERR_REDIRECT_REFUSED');
  assert.equal(response.headers.location, undefined, 'no Location is passed on');
  assert.equal(((await response.body.json()) as { location: string }).location, '/logout');
});

test('the client never follows a redirect, whoever sends it', async (t) => {
  const dir = scratchDir(t);
  const socketPath = join(dir, 'fake.sock');
  const seen: string[] = [];
  const fake = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(307, { location: '/logout' }).end();
  });
  await new Promise<void>((resolve) => fake.listen(socketPath, () => resolve()));
  t.after(() => new Promise<void>((resolve) => fake.close(() => resolve())));
  const client = new SidecarClient(socketPath);
  t.after(() => client.close());
  const error = await forwardError(client, mcpCall);
  assert.ok(isSidecarError(error, 'ERR_REDIRECT_REFUSED'), "isSidecarError(error, 'ERR_REDIRECT_REFUSED')");
  assert.equal(error.body.location, '/logout');
  assert.deepEqual(seen, ['POST /mcp'], 'the redirect target was never requested');
});

/** One raw HTTP/1.1 request over the socket, target bytes exactly as given (no client normalises them). */
function rawRequest(
  socketPath: string,
  method: string,
  target: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.write(
      `${method} ${target} HTTP/1.1\r\nHost: cnpg-mcp-sidecar\r\nContent-Type: application/json\r\n` +
        'Content-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
  });
}

test('no spelling of a path crosses between /mcp and the control API', async (t) => {
  const { oidc, remote, settings, client, sidecar, stored } = await loggedIn(t);
  const tricks = [
    '/mcp/../logout',
    '/mcp/%2e%2e/logout',
    '/mcp/%2E%2E/logout',
    '/mcp/..%2flogout',
    '/mcp%2f..%2flogout',
    '/mcp/.%2e/logout',
    '//logout',
    '/mcp//../logout',
    '/./logout',
    '/logout/',
    '/logout/.',
    '/%6cogout',
    '/mcp;/../logout',
    '/mcp\\..\\logout',
    'http://cnpg-mcp-sidecar/logout',
    'http://cnpg-mcp-sidecar/mcp/../logout',
    '/status/../mcp',
    '/token/%2e%2e/mcp',
    '/mcp?/../logout',
  ];
  for (const target of tricks) {
    const answer = await rawRequest(sidecar.socketPath, 'POST', target);
    assert.equal(answer.status, 400, `${target} is refused: ${answer.text.split('\r\n')[0]}`);
    if (answer.text.includes('cnpg-mcp-error')) assert.match(answer.text, /ERR_INVALID_REQUEST/);
  }
  assert.equal(remote.seen.length, 0, 'nothing reached the remote');
  await assertStillLoggedIn(oidc, settings, client, stored);
  // The plain spellings still work.
  assert.equal((await rawRequest(sidecar.socketPath, 'GET', '/health')).status, 200);
});
