/**
 * remote-api throughput: read tool calls per second at concurrency 1…64 with JWT verification on
 * every request; the cost of one verification; and scale-out to two processes behind a
 * round-robin on loopback (the API keeps no per-client state).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { Pool } from 'undici';
import { verifyAccessToken } from '../packages/remote-api/src/auth/verify.js';
import { type BenchSection, type Target, table } from './lib/report.js';
import { type RemoteApiProcess, spawnRemoteApi, startStack } from './lib/stack.js';
import { fixed, summarize } from './lib/stats.js';

const CONCURRENCY = [1, 4, 16, 64];
const SECONDS_PER_LEVEL = Number(process.env.BENCH_SECONDS ?? 4);

interface LoadResult {
  callsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function toolCall(name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
}

async function load(baseUrl: string, token: string, body: string, concurrency: number): Promise<LoadResult> {
  const pool = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS_PER_LEVEL * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await pool.request({
        path: '/mcp',
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      });
      const text = await response.body.text();
      if (response.statusCode !== 200 || text.includes('"isError":true')) errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - began) / 1000;
  await pool.close();
  const summary = summarize(latencies);
  return { callsPerSecond: latencies.length / elapsed, p50: summary.p50, p99: summary.p99, errors };
}

/** A TCP round-robin in front of several API processes: each new connection goes to the next. */
async function roundRobin(backends: string[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const server = createServer((client: Socket) => {
    const target = new URL(backends[next % backends.length]!);
    next += 1;
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

async function verificationCost(issuer: string, audience: string, token: string): Promise<number> {
  const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet;
  const options = {
    issuer,
    audience,
    algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    clockToleranceSeconds: 30,
    maxTokenBytes: 8192,
    getKey: createLocalJWKSet(jwks),
  };
  for (let i = 0; i < 200; i += 1) await verifyAccessToken(token, options);
  const iterations = 3000;
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) await verifyAccessToken(token, options);
  return ((performance.now() - started) * 1000) / iterations;
}

export async function runRemoteApiBench(): Promise<BenchSection> {
  const stack = await startStack({ clusters: 10 });
  const apis: RemoteApiProcess[] = [];
  // The balancer is the public address of the scale-out pair, so its Host must be accepted.
  const backends: string[] = [];
  const balancer = await roundRobin(backends);
  const env = { ALLOWED_HOSTS: new URL(balancer.url).host };
  try {
    const api = await spawnRemoteApi(stack.oidc, stack.kube, env);
    apis.push(api);
    const calls = [
      { label: 'whoami (JWT + MCP, no Kubernetes)', body: toolCall('whoami', {}) },
      { label: 'cluster_list (10 clusters)', body: toolCall('cluster_list', { namespace: 'default' }) },
    ];
    const rows: string[][] = [];
    let bestList = 0;
    for (const call of calls) {
      for (const concurrency of CONCURRENCY) {
        const result = await load(api.url, stack.accessToken, call.body, concurrency);
        if (call.label.startsWith('cluster_list')) bestList = Math.max(bestList, result.callsPerSecond);
        rows.push([
          call.label,
          String(concurrency),
          fixed(result.callsPerSecond, 0),
          fixed(result.p50),
          fixed(result.p99),
          String(result.errors),
        ]);
      }
    }
    const verifyMicros = await verificationCost(stack.oidc.issuer, stack.oidc.audience, stack.accessToken);

    const second = await spawnRemoteApi(stack.oidc, stack.kube, env);
    apis.push(second);
    backends.push(api.url, second.url);
    const one = await load(api.url, stack.accessToken, calls[1]!.body, 16);
    const two = await load(balancer.url, stack.accessToken, calls[1]!.body, 16);

    const targets: Target[] = [
      {
        name: 'remote-api read tool calls per second (cluster_list, best concurrency)',
        target: '≥ 3,000 calls/s',
        actual: `${fixed(bestList, 0)} calls/s`,
        met: bestList >= 3000,
      },
    ];
    const body = `${table(['call', 'concurrency', 'calls/s', 'p50 ms', 'p99 ms', 'errors'], rows)}

One JWT verification (RS256, jose, local key set): **${fixed(verifyMicros, 1)} µs**.

Scale-out, cluster_list at concurrency 16 (two processes behind a TCP round-robin on loopback; the
same token and the same calls served by either process, no session affinity):

${table(
  ['setup', 'calls/s', 'p50 ms', 'p99 ms', 'errors'],
  [
    ['1 process', fixed(one.callsPerSecond, 0), fixed(one.p50), fixed(one.p99), String(one.errors)],
    [
      '2 processes, round-robin',
      fixed(two.callsPerSecond, 0),
      fixed(two.p50),
      fixed(two.p99),
      String(two.errors),
    ],
  ],
)}

On 2 cores the load generator, the emulator and the API processes share the CPU, so two
processes show that any replica serves any request rather than a doubling.`;
    return { title: 'remote-api throughput and scale-out', body, targets };
  } finally {
    balancer.server.close();
    for (const api of apis) await api.stop();
    await stack.close();
  }
}
