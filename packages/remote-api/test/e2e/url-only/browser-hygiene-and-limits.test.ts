import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type LocalStack, type StackApi, startLocalStack } from '../../../../devstack/src/stack.js';
import { connectClient, initializeMessage, rawRequest } from '../../support/support.js';

/**
 * What a browser or a flood can do to the public endpoints: foreign Origin or Host (DNS
 * rebinding), CORS for allowed origins only, slow or too many connections, one caller holding
 * every slot. Loops are bounded; everything stays on loopback.
 */
const ALLOWED = 'https://claude.ai';
const EVIL = 'https://evil.example';

const clusterCall = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'cluster_create', arguments: { name, storage_size: '1Gi', ...extra } },
});

async function clusterNames(stack: LocalStack): Promise<string[]> {
  const list = (await stack.admin.custom.listNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: 'default',
    plural: 'clusters',
  })) as { items: { metadata: { name: string } }[] };
  return list.items.map((item) => item.metadata.name);
}

function mcpPost(api: StackApi, body: unknown, headers: Record<string, string>) {
  return rawRequest(api.mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** A socket that has connected; resolves when the server closes it (or `limitMs` passes: false). */
function openSocket(
  api: StackApi,
  firstBytes: string,
): Promise<{ socket: Socket; closed: Promise<boolean> }> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(firstBytes);
      // Read what the server sends (its 408), or 'end'/'close' would never be seen.
      socket.resume();
      resolve({
        socket,
        closed: new Promise<boolean>((done) => {
          socket.on('close', () => done(true));
          socket.on('end', () => done(true));
        }),
      });
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);

describe('Origin, Host and CORS', () => {
  let stack: LocalStack;
  let token: string;

  before(async () => {
    stack = await startLocalStack({ remoteApi: { env: { ALLOWED_ORIGINS: ALLOWED } } });
    token = await stack.tokenFor('alice');
  });
  after(() => stack.close());

  test('a foreign Origin gets 403 and its write never reaches Kubernetes; no Origin (native clients) passes', async () => {
    const refused = await mcpPost(stack.api, clusterCall(1, 'from-evil'), {
      authorization: `Bearer ${token}`,
      origin: EVIL,
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /Origin https:\/\/evil\.example is not allowed/);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.ok(
      !(await clusterNames(stack)).includes('from-evil'),
      "!(await clusterNames(stack)).includes('from-evil')",
    );
    const native = await connectClient(stack.api, token);
    assert.ok((await native.listTools()).tools.length > 0, '(await native.listTools()).tools.length > 0');
    await native.close();
  });

  test('a Host that is not this server (DNS rebinding) gets 403, even with a valid token', async () => {
    const rebound = await mcpPost(stack.api, clusterCall(2, 'rebound'), {
      authorization: `Bearer ${token}`,
      host: 'evil.example',
      origin: 'http://evil.example',
    });
    assert.equal(rebound.status, 403);
    assert.ok(
      !(await clusterNames(stack)).includes('rebound'),
      "!(await clusterNames(stack)).includes('rebound')",
    );
    const hostOnly = await mcpPost(stack.api, initializeMessage, {
      authorization: `Bearer ${token}`,
      host: 'evil.example',
    });
    assert.equal(hostOnly.status, 403);
    const probes = await rawRequest(`${stack.api.url}/healthz`, { headers: { host: '10.0.0.7:8080' } });
    assert.equal(probes.status, 200, 'kubelet probes use the pod IP as Host');
  });

  test('an allowed origin gets CORS on /mcp, its preflight and the metadata; others do not', async () => {
    const preflight = await rawRequest(stack.api.mcpUrl, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
    assert.equal(
      preflight.headers['access-control-allow-credentials'],
      undefined,
      'no credentials: bearer only',
    );
    const evilPreflight = await rawRequest(stack.api.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: EVIL },
    });
    assert.equal(evilPreflight.status, 403);
    const call = await mcpPost(stack.api, initializeMessage, {
      authorization: `Bearer ${token}`,
      origin: ALLOWED,
    });
    assert.equal(call.status, 200);
    assert.equal(call.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(call.headers.vary), /Origin/);
    const challenge = await mcpPost(stack.api, initializeMessage, { origin: ALLOWED });
    assert.equal(challenge.status, 401);
    assert.match(String(challenge.headers['access-control-expose-headers']), /www-authenticate/);
    const metadata = await rawRequest(`${stack.api.url}/.well-known/oauth-protected-resource/mcp`, {
      headers: { origin: ALLOWED },
    });
    assert.equal(metadata.headers['access-control-allow-origin'], ALLOWED);
  });
});

describe('connection limits', () => {
  let stack: LocalStack;
  let limited: StackApi;

  before(async () => {
    stack = await startLocalStack({ kube: { stepDelayMs: 1500 }, remoteApi: false });
    limited = await stack.startApi({
      env: {
        HEADERS_TIMEOUT_SECONDS: '1',
        REQUEST_TIMEOUT_SECONDS: '2',
        MAX_CONNECTIONS: '20',
        MAX_IN_FLIGHT_PER_CALLER: '2',
      },
    });
  });
  after(() => stack.close());

  test('connections that never finish their headers or body are closed by the timeouts', async () => {
    const slowHeaders = await Promise.all(
      Array.from({ length: 10 }, () => openSocket(limited, 'POST /mcp HTTP/1.1\r\nHost: x\r\n')),
    );
    const slowBody = await openSocket(
      limited,
      `POST /.well-known/oauth-protected-resource HTTP/1.1\r\nHost: ${new URL(limited.url).host}\r\ncontent-length: 1000\r\n\r\n{`,
    );
    const outcomes = await within(Promise.all([...slowHeaders, slowBody].map((s) => s.closed)), 8000);
    assert.notEqual(outcomes, 'timeout', 'every slow connection was closed by the server within 8 s');
    const healthy = await fetch(`${limited.url}/healthz`);
    assert.equal(healthy.status, 200);
  });

  test('past MAX_CONNECTIONS new connections are dropped; the server serves again once they go', async () => {
    const held = await Promise.all(
      Array.from({ length: 20 }, () => openSocket(limited, 'GET /healthz HTTP/1.1\r\nHost: x\r\n')),
    );
    const extra = await openSocket(limited, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(await within(extra.closed, 2000), true, 'the 21st connection is closed at once');
    for (const { socket } of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await fetch(`${limited.url}/healthz`)).status, 200);
  });

  test('one caller may hold MAX_IN_FLIGHT_PER_CALLER calls (long waits count); more get 429, others are served', async () => {
    const [alice, bob] = await Promise.all([stack.tokenFor('alice'), stack.tokenFor('bob')]);
    const waits = new AbortController();
    const longWaits = [1, 2].map((n) =>
      fetch(limited.mcpUrl, {
        method: 'POST',
        signal: waits.signal,
        headers: {
          authorization: `Bearer ${alice}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(clusterCall(n, `waiting-${n}`, { wait: true, wait_timeout_seconds: 60 })),
      }).catch(() => undefined),
    );
    const deadline = Date.now() + 10000;
    while ((await clusterNames(stack)).filter((name) => name.startsWith('waiting-')).length < 2) {
      assert.ok(Date.now() < deadline, 'both waits started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const third = await mcpPost(limited, clusterCall(3, 'third'), { authorization: `Bearer ${alice}` });
    assert.equal(third.status, 429);
    assert.equal(third.headers['retry-after'], '1');
    assert.match(third.body, /at most 2 at once/);
    assert.ok(!(await clusterNames(stack)).includes('third'), 'the refused call wrote nothing');
    const other = await mcpPost(limited, initializeMessage, { authorization: `Bearer ${bob}` });
    assert.equal(other.status, 200, 'another caller is not held up');
    waits.abort();
    await Promise.all(longWaits);
    const freed = Date.now() + 5000;
    let again = await mcpPost(limited, initializeMessage, { authorization: `Bearer ${alice}` });
    while (again.status === 429 && Date.now() < freed) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await mcpPost(limited, initializeMessage, { authorization: `Bearer ${alice}` });
    }
    assert.equal(again.status, 200, 'slots are given back when the calls end');
  });
});

describe('/metrics', () => {
  test('on its own port (METRICS_PORT), not on the API port; with neither setting it is not served', async () => {
    const stack = await startLocalStack({ remoteApi: { env: { METRICS_PORT: '0' } } });
    try {
      assert.ok(stack.api.metricsUrl, 'stack.api.metricsUrl');
      const scraped = await fetch(stack.api.metricsUrl);
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /# TYPE cnpg_mcp_http_requests_total counter/);
      const onApiPort = await fetch(`${stack.api.url}/metrics`);
      assert.equal(onApiPort.status, 404, 'never open on the API port');
      await onApiPort.body?.cancel();
      const other = await fetch(new URL('/healthz', stack.api.metricsUrl));
      assert.equal(other.status, 404, 'the metrics port serves only /metrics');
      await other.body?.cancel();
    } finally {
      await stack.close();
    }
  });
});
