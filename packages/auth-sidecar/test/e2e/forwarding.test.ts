import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DevOidc, discoverDevClient, loginAsPerson, startDevOidc } from '@cnpg-mcp/devstack';
import * as oidcClient from 'openid-client';
import {
  FileTokenStore,
  isSidecarError,
  type Settings,
  SidecarClient,
  startSidecar,
  tcpSecretPath,
} from '../../src/index.js';
import {
  captureLog,
  credentials,
  expectLogin,
  forwardError,
  loginThroughSidecar,
  scratchDir,
  startRemote,
  testSettings,
} from '../support/helpers.js';

async function setup(
  t: import('node:test').TestContext,
  options: { ttl?: number; overrides?: object; env?: Record<string, string> } = {},
) {
  const oidc = await startDevOidc({ accessTokenTtlSeconds: options.ttl ?? 300 });
  t.after(() => oidc.close());
  const remote = await startRemote(oidc);
  t.after(() => remote.close());
  const dir = scratchDir(t);
  const settings = testSettings(dir, oidc, remote.url, options.overrides);
  const { log, lines } = captureLog();
  const sidecar = await startSidecar({ settings, log, env: options.env ?? {}, hasDisplay: () => true });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  return { oidc, remote, settings, sidecar, client, lines };
}

function refreshes(oidc: DevOidc): number {
  return oidc.tokenEndpointCalls().refresh_token ?? 0;
}

async function post(client: SidecarClient, id: number): Promise<{ status: number; sub?: string }> {
  const response = await client.fetch('http://x/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' }),
  });
  const body = (await response.json()) as { sub?: string };
  return { status: response.status, sub: body.sub };
}

/** The stored refresh token still works at the provider: the grant was never revoked. */
async function assertGrantValid(oidc: DevOidc, settings: Settings): Promise<void> {
  const stored = await new FileTokenStore(settings.configDir, settings, () => {}).load();
  assert.ok(stored, 'a refresh token is stored');
  const config = await discoverDevClient(oidc);
  const tokens = await oidcClient.refreshTokenGrant(config, stored.refreshToken, { audience: oidc.audience });
  assert.ok(tokens.access_token, 'tokens.access_token');
}

test('100 concurrent requests across an access-token expiry cause exactly one refresh', async (t) => {
  const { oidc, remote, client, settings, lines } = await setup(t, { ttl: 6 });
  await loginThroughSidecar(client);
  assert.equal((await post(client, 0)).status, 200);
  await sleep(6200); // the access token has now expired (the new one is fresh for 3 s: half its life)
  const before = refreshes(oidc);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => post(client, i + 1)));
  t.diagnostic(`100 concurrent requests incl. one refresh: ${Math.round(performance.now() - started)} ms`);
  assert.equal(refreshes(oidc) - before, 1, 'exactly one refresh at the provider');
  assert.ok(
    results.every((r) => r.status === 200 && r.sub === 'devstack|alice'),
    "results.every((r) => r.status === 200 && r.sub === 'devstack|alice')",
  );
  assert.equal(
    remote.seen.filter((r) => r.status === 401).length,
    0,
    'no request went out with an expired token',
  );
  const warm = performance.now();
  await Promise.all(Array.from({ length: 100 }, (_, i) => post(client, 200 + i)));
  t.diagnostic(`100 concurrent requests, token in memory: ${Math.round(performance.now() - warm)} ms`);
  await assertGrantValid(oidc, settings);
  assert.ok(!lines.join('\n').match(/eyJ[\w-]+\.[\w-]+\./), 'no JWT in the log');
});

test('a 401 from the remote triggers exactly one refresh and one retry', async (t) => {
  const { oidc, remote, client } = await setup(t);
  await loginThroughSidecar(client);
  const before = refreshes(oidc);
  remote.rejectNext(1);
  const first = await post(client, 1);
  assert.equal(first.status, 200);
  assert.equal(refreshes(oidc) - before, 1);
  assert.deepEqual(
    remote.seen.map((r) => r.status),
    [401, 200],
  );
  assert.equal(remote.seen[0]?.headers['content-type'], remote.seen[1]?.headers['content-type']);

  // Rejected again after the refresh: the login is rejected (a login is offered), no second refresh or retry.
  remote.rejectNext(2);
  const second = await forwardError(client);
  assert.equal(second.status, 401);
  assert.ok(isSidecarError(second, 'ERR_LOGIN_REQUIRED'), "isSidecarError(second, 'ERR_LOGIN_REQUIRED')");
  assert.equal(second.body.reason, 'rejected_by_remote');
  assert.match(second.message, /rejected the login \(.*rejected on demand/);
  assert.equal(expectLogin(second.body.login, 'browser').state, 'browser');
  assert.equal(refreshes(oidc) - before, 2);
  assert.equal(remote.seen.length, 4);

  // Many requests rejected with the same token share one refresh.
  remote.denyTokensSeenSoFar();
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => post(client, 10 + i)));
  assert.ok(
    many.every((r) => r.status === 200),
    'many.every((r) => r.status === 200)',
  );
  assert.equal(refreshes(oidc) - before, 3);
});

test('SSE from the remote passes through unbuffered and closes upstream when the client leaves', async (t) => {
  const { remote, client } = await setup(t);
  await loginThroughSidecar(client);
  const abort = new AbortController();
  const response = await client.fetch('http://x/mcp', {
    headers: { accept: 'text/event-stream' },
    signal: abort.signal,
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const readUntil = async (needle: string) => {
    let text = '';
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${needle}`);
      text += decoder.decode(value);
    }
    return text;
  };
  assert.match(await readUntil('stream open'), /: stream open/);
  for (const n of [1, 2, 3]) {
    remote.sendEvent(`event-${n}`);
    // Each event arrives while the stream is still open upstream: nothing waits for the end.
    assert.match(await readUntil(`event-${n}`), new RegExp(`data: event-${n}`));
  }
  assert.equal(remote.openStreams(), 1);
  abort.abort();
  await reader.cancel().catch(() => {});
  for (let i = 0; i < 250 && remote.openStreams() > 0; i++) await sleep(20);
  assert.equal(remote.openStreams(), 0);
});

test('hop-by-hop headers are dropped and the client cannot choose the Authorization header', async (t) => {
  const { remote, client, sidecar } = await setup(t);
  await loginThroughSidecar(client);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      {
        socketPath: sidecar.socketPath,
        path: '/mcp?x=1',
        method: 'POST',
        headers: {
          connection: 'keep-alive, x-private-hop',
          'x-private-hop': 'secret',
          'keep-alive': 'timeout=5',
          'proxy-authorization': 'Basic abc',
          authorization: 'Bearer forged',
          'x-keep': 'yes',
          'mcp-protocol-version': '2025-06-18',
          'content-type': 'application/json',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('{"jsonrpc":"2.0","id":1,"method":"ping"}');
  });
  assert.equal(status, 200);
  const seen = remote.seen.at(-1);
  assert.ok(seen, 'seen');
  assert.equal(seen.url, '/mcp?x=1');
  assert.equal(seen.headers['x-keep'], 'yes');
  assert.equal(seen.headers['mcp-protocol-version'], '2025-06-18');
  assert.equal(seen.headers['x-private-hop'], undefined);
  assert.equal(seen.headers['keep-alive'], undefined);
  assert.equal(seen.headers['proxy-authorization'], undefined);
  assert.notEqual(seen.headers.authorization, 'Bearer forged');
  assert.equal(seen.sub, 'devstack|alice', 'the remote verified the real token');
});

test('without a login /mcp answers ERR_LOGIN_REQUIRED with the one login it started; nothing reaches the remote', async (t) => {
  const { remote, client } = await setup(t);
  const stream = await forwardError(client, { headers: { accept: 'text/event-stream' } });
  assert.ok(isSidecarError(stream, 'ERR_LOGIN_REQUIRED'), "isSidecarError(stream, 'ERR_LOGIN_REQUIRED')");
  assert.equal(stream.body.login, undefined, 'an event stream does not start a login');
  assert.equal((await client.status()).login, undefined);
  const [first, second] = await Promise.all([forwardError(client), forwardError(client)]);
  for (const error of [first, second]) {
    assert.ok(isSidecarError(error, 'ERR_LOGIN_REQUIRED'), "isSidecarError(error, 'ERR_LOGIN_REQUIRED')");
    assert.equal(error.status, 401);
    assert.equal(error.body.reason, 'not_logged_in');
    assert.match(error.message, /cnpg-mcp login/);
  }
  const login = expectLogin(
    isSidecarError(first, 'ERR_LOGIN_REQUIRED') ? first.body.login : undefined,
    'browser',
  );
  assert.deepEqual(
    isSidecarError(second, 'ERR_LOGIN_REQUIRED') ? second.body.login : undefined,
    login,
    'two calls share one login',
  );
  assert.equal(remote.seen.length, 0);

  // The person logs in; the waiting caller learns it from one wait, and its call then goes through.
  const waiting = client.waitForLogin(login, { timeoutMs: 10_000 });
  const page = await loginAsPerson(login.url, credentials('alice'));
  assert.equal(page.status, 200);
  assert.equal((await waiting).state, 'logged_in');
  assert.equal((await post(client, 1)).sub, 'devstack|alice');
});

test('HTTPS_PROXY/HTTP_PROXY route outbound calls through the proxy; NO_PROXY bypasses it', async (t) => {
  const tunnels: string[] = [];
  const proxy = createHttpServer((_req, res) => res.writeHead(501).end());
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  );
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as import('node:net').AddressInfo).port}`;
  const { remote, client } = await setup(t, { env: { HTTP_PROXY: proxyUrl, NO_PROXY: '' } });
  await loginThroughSidecar(client);
  assert.equal((await post(client, 1)).status, 200);
  const remoteHost = new URL(remote.url).host;
  assert.ok(tunnels.includes(remoteHost), `the remote was reached through the proxy (${tunnels.join(', ')})`);

  const direct = await setup(t, { env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
  const countBefore = tunnels.length;
  await loginThroughSidecar(direct.client);
  assert.equal((await post(direct.client, 1)).status, 200);
  assert.equal(tunnels.length, countBefore, 'NO_PROXY hosts are reached directly');
});

test('optional loopback TCP listener checks the Host header and the per-install secret', async (t) => {
  const { remote, client, sidecar, settings } = await setup(t, { overrides: { tcpPort: 0 } });
  await loginThroughSidecar(client);
  const port = sidecar.tcpPort;
  assert.ok(port, 'port');
  const secretFile = tcpSecretPath(settings.configDir);
  assert.equal(statSync(secretFile).mode & 0o777, 0o600);
  const secret = (await import('node:fs')).readFileSync(secretFile, 'utf8').trim();
  const call = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{}');
    });
  assert.equal(await call({ host: `evil.example:${port}`, authorization: `Bearer ${secret}` }), 421);
  assert.equal(await call({ host: `127.0.0.1:${port}` }), 401);
  assert.equal(await call({ host: `127.0.0.1:${port}`, authorization: 'Bearer wrong' }), 401);
  assert.equal(remote.seen.length, 0);
  assert.equal(await call({ host: `localhost:${port}`, authorization: `Bearer ${secret}` }), 200);
  assert.equal(remote.seen.at(-1)?.sub, 'devstack|alice');
  assert.notEqual(remote.seen.at(-1)?.headers.authorization, `Bearer ${secret}`);
});
