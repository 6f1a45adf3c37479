/**
 * remote-api at team scale: read tool calls per second at concurrency 1…64 with Kubernetes API
 * requests counted at the emulator per 1,000 calls; one JWT verification against a verified-token
 * cache hit; connections per 1,000 Kubernetes requests (client-node's own agent against the shared
 * keep-alive one); the watch cache's heap per 1,000 objects; scale-out to two processes behind a
 * round-robin on loopback.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { Pool } from 'undici';
import { startRoundRobin } from '../packages/devstack/src/index.js';
import { cachingVerifier, VerifiedTokenCache } from '../packages/remote-api/src/auth/token-cache.js';
import { verifyAccessToken } from '../packages/remote-api/src/auth/verify.js';
import { SharedAgentKubeConfig } from '../packages/remote-api/src/kube/agent.js';
import { type BenchSection, type Target, table } from './lib/report.js';
import { type RemoteApiProcess, type Stack, spawnRemoteApi, startStack } from './lib/stack.js';
import { fixed, summarize } from './lib/stats.js';

const CONCURRENCY = [1, 4, 16, 64];
const SECONDS_PER_LEVEL = Number(process.env.BENCH_SECONDS ?? 4);
const MEMORY_CLUSTERS = Number(process.env.BENCH_MEMORY_CLUSTERS ?? 1000);

interface LoadResult {
  calls: number;
  callsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Requests the emulator received during the load (watches included). */
  kubeRequests: number;
  kubeConnections: number;
}

const CALLS = [
  { label: '`whoami` (JWT + MCP, no Kubernetes)', name: 'whoami', args: {} },
  { label: '`cluster_list`, 10 clusters', name: 'cluster_list', args: { namespace: 'default' } },
  {
    label: '`cluster_status` (cluster, pods, PVCs)',
    name: 'cluster_status',
    args: { namespace: 'default', name: 'bench-0' },
  },
];

function toolCall(name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
}

async function load(
  stack: Stack,
  baseUrl: string,
  body: string,
  concurrency: number,
  seconds = SECONDS_PER_LEVEL,
): Promise<LoadResult> {
  const pool = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  stack.kube.resetTraffic();
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await pool.request({
        path: '/mcp',
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.accessToken}`,
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
  const traffic = stack.kube.traffic();
  await pool.close();
  const summary = summarize(latencies);
  return {
    calls: latencies.length,
    callsPerSecond: latencies.length / elapsed,
    p50: summary.p50,
    p99: summary.p99,
    errors,
    kubeRequests: traffic.requests,
    kubeConnections: traffic.connections,
  };
}

const perThousand = (count: number, of: number) => (of === 0 ? Number.NaN : (count * 1000) / of);

async function microseconds(iterations: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(500, iterations); i += 1) await run();
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) await run();
  return ((performance.now() - started) * 1000) / iterations;
}

/** One full verification (RS256, jose, local key set) and one verified-token cache hit, in µs. */
async function tokenCosts(stack: Stack): Promise<{ verify: number; hit: number }> {
  const jwks = (await (await fetch(`${stack.oidc.issuer}/jwks`)).json()) as JSONWebKeySet;
  const options = {
    issuer: stack.oidc.issuer,
    audience: stack.oidc.audience,
    algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    clockToleranceSeconds: 30,
    maxTokenBytes: 8192,
    getKey: createLocalJWKSet(jwks),
  };
  const verify = await microseconds(3000, () => verifyAccessToken(stack.accessToken, options));
  const verifyCached = cachingVerifier({
    cache: new VerifiedTokenCache({ maxEntries: 10_000, clockToleranceSeconds: 30 }),
    options: () => options,
    keysFresh: () => true,
  });
  const hit = await microseconds(100_000, () => verifyCached(stack.accessToken));
  return { verify, hit };
}

/** Emulator connections for 1,000 list calls, in a row and 16 at a time, through a kubeconfig. */
async function connectionsPerThousand(stack: Stack, kubeConfig: KubeConfig) {
  kubeConfig.loadFromFile(stack.kube.kubeconfigPath);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const list = () =>
    api.listNamespacedCustomObject({
      group: 'postgresql.cnpg.io',
      version: 'v1',
      namespace: 'default',
      plural: 'clusters',
    });
  stack.kube.resetTraffic();
  for (let i = 0; i < 1000; i += 1) await list();
  const sequential = stack.kube.traffic().connections;
  stack.kube.resetTraffic();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = 0; i < 1000 / 16; i += 1) await list();
    }),
  );
  const concurrent = (stack.kube.traffic().connections * 1000) / stack.kube.traffic().requests;
  if (kubeConfig instanceof SharedAgentKubeConfig) kubeConfig.destroyAgents();
  return { sequential, concurrent };
}

/** The watch cache's heap for what the emulator holds after MEMORY_CLUSTERS more clusters (a child with --expose-gc). */
async function cacheMemory(stack: Stack): Promise<{ objects: number; bytes: number; jsonBytes: number }> {
  const headers = { authorization: `Bearer ${stack.kube.token}`, 'content-type': 'application/json' };
  for (let i = 0; i < MEMORY_CLUSTERS; i += 1) {
    await fetch(`${stack.kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/clusters`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: `memory-${i}` },
        spec: { instances: 1, storage: { size: '1Gi' } },
      }),
    });
  }
  await stack.kube.settle();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', new URL('./lib/cache-memory.ts', import.meta.url).pathname],
    { env: { ...process.env, KUBECONFIG: stack.kube.kubeconfigPath }, maxBuffer: 1 << 20 },
  );
  const measured = JSON.parse(stdout.trim().split('\n').at(-1)!) as { objects: number; bytes: number };
  // The same objects as JSON, for scale (what the API server sends for them).
  let jsonBytes = 0;
  for (const path of [
    '/apis/postgresql.cnpg.io/v1/clusters',
    '/api/v1/pods?labelSelector=cnpg.io/cluster',
    '/api/v1/persistentvolumeclaims?labelSelector=cnpg.io/cluster',
  ]) {
    jsonBytes += (await (await fetch(`${stack.kube.url}${path}`, { headers })).text()).length;
  }
  return { ...measured, jsonBytes };
}

export async function runRemoteApiBench(): Promise<BenchSection> {
  const stack = await startStack({ clusters: 10 });
  const apis: RemoteApiProcess[] = [];
  // The balancer is the public address of the scale-out pair, so its Host must be accepted.
  const balancer = await startRoundRobin();
  const env = { ALLOWED_HOSTS: new URL(balancer.url).host };
  try {
    const api = await spawnRemoteApi(stack.oidc, stack.kube, env);
    apis.push(api);
    const rows: string[][] = [];
    const best = new Map<string, number>();
    let listRequestsPerThousand = 0;
    for (const call of CALLS) {
      const body = toolCall(call.name, call.args);
      await load(stack, api.url, body, 4, 1);
      for (const concurrency of CONCURRENCY) {
        const result = await load(stack, api.url, body, concurrency);
        best.set(call.name, Math.max(best.get(call.name) ?? 0, result.callsPerSecond));
        const requests = perThousand(result.kubeRequests, result.calls);
        if (call.name === 'cluster_list')
          listRequestsPerThousand = Math.max(listRequestsPerThousand, requests);
        rows.push([
          call.label,
          String(concurrency),
          fixed(result.callsPerSecond, 0),
          fixed(result.p50),
          fixed(result.p99),
          fixed(requests, 1),
          String(result.errors),
        ]);
      }
    }

    const uncached = await spawnRemoteApi(stack.oidc, stack.kube, { ...env, READ_CACHE: 'off' });
    apis.push(uncached);
    const listBody = toolCall('cluster_list', { namespace: 'default' });
    await load(stack, uncached.url, listBody, 16, 1);
    const off = await load(stack, uncached.url, listBody, 16);
    await uncached.stop();

    const tokens = await tokenCosts(stack);
    const before = await connectionsPerThousand(stack, new KubeConfig());
    const shared = await connectionsPerThousand(stack, new SharedAgentKubeConfig());

    const second = await spawnRemoteApi(stack.oidc, stack.kube, env);
    apis.push(second);
    balancer.backends.push(api.url, second.url);
    const one = await load(stack, api.url, listBody, 16);
    const two = await load(stack, balancer.url, listBody, 16);

    const memory = await cacheMemory(stack);
    const perThousandObjects = (memory.bytes / memory.objects) * 1000;

    const whoami = best.get('whoami') ?? 0;
    const list = best.get('cluster_list') ?? 0;
    const connections = (off.kubeConnections * 1000) / off.kubeRequests;
    const targets: Target[] = [
      {
        name: '`whoami` calls per second (best concurrency)',
        target: '≥ 6,000 calls/s',
        actual: `${fixed(whoami, 0)} calls/s`,
        met: whoami >= 6000,
      },
      {
        name: '`cluster_list` (10 clusters) calls per second (best concurrency)',
        target: '≥ 4,000 calls/s',
        actual: `${fixed(list, 0)} calls/s`,
        met: list >= 4000,
      },
      {
        name: 'Kubernetes API requests per 1,000 `cluster_list` calls after warm-up (at the emulator)',
        target: '≈ 0 (≤ 1)',
        actual: fixed(listRequestsPerThousand, 1),
        met: listRequestsPerThousand <= 1,
      },
      {
        name: 'verified-token cache hit',
        target: 'microseconds (≤ 10 µs)',
        actual: `${fixed(tokens.hit, 1)} µs (full verification ${fixed(tokens.verify, 0)} µs)`,
        met: tokens.hit <= 10,
      },
      {
        name: 'connections per 1,000 Kubernetes requests (remote API, cache off, concurrency 16)',
        target: '≤ 20 (kept alive and reused)',
        actual: fixed(connections, 1),
        met: connections <= 20,
      },
    ];
    const body = `Tool calls over HTTP with a bearer token (verified on every request), one remote API process
on the bench's provider and emulator. "Kubernetes requests" are the requests the emulator received
during the run, per 1,000 calls (watches included; after a one-second warm-up).

${table(['call', 'concurrency', 'calls/s', 'p50 ms', 'p99 ms', 'Kubernetes requests / 1,000 calls', 'errors'], rows)}

The same \`cluster_list\` at concurrency 16 with \`READ_CACHE=off\` (every read goes to the API
server): **${fixed(off.callsPerSecond, 0)} calls/s** (p50 ${fixed(off.p50)} ms, p99 ${fixed(off.p99)} ms),
**${fixed(perThousand(off.kubeRequests, off.calls), 0)}** Kubernetes requests per 1,000 calls, over
**${fixed(connections, 1)}** connections per 1,000 requests.

Bearer token: one full JWT verification (RS256, jose, local key set) **${fixed(tokens.verify, 1)} µs**;
a verified-token cache hit (SHA-256 of the token, lookup, expiry/issuer/audience checks)
**${fixed(tokens.hit, 2)} µs**.

Connections to the Kubernetes API per 1,000 list calls (counted at the emulator, HTTPS):

${table(
  ['client', 'in a row', '16 at a time'],
  [
    [
      "client-node 1.4's own agent (a new one per request)",
      String(before.sequential),
      fixed(before.concurrent, 0),
    ],
    [
      'the shared keep-alive agent (`SharedAgentKubeConfig`)',
      String(shared.sequential),
      fixed(shared.concurrent, 0),
    ],
  ],
)}

Watch cache memory: **${fixed(perThousandObjects / 2 ** 20, 2)} MiB of heap per 1,000 objects**
(${memory.objects} objects after ${MEMORY_CLUSTERS} more one-instance clusters: the clusters, their pods
and PVCs, held without managedFields; ${fixed(memory.bytes / 2 ** 20, 1)} MiB in all, against
${fixed(memory.jsonBytes / 2 ** 20, 1)} MiB of the same objects as the API server's JSON).

Scale-out, \`cluster_list\` at concurrency 16 (two processes behind a TCP round-robin on loopback;
the same token and calls served by either, no session affinity; each has its own watch cache):

${table(
  ['setup', 'calls/s', 'p50 ms', 'p99 ms', 'Kubernetes requests / 1,000 calls', 'errors'],
  [one, two].map((result, i) => [
    i === 0 ? '1 process' : '2 processes, round-robin',
    fixed(result.callsPerSecond, 0),
    fixed(result.p50),
    fixed(result.p99),
    fixed(perThousand(result.kubeRequests, result.calls), 1),
    String(result.errors),
  ]),
)}

On 2 cores the load generator, the emulator and the API processes share the CPU, so two
processes show that any replica serves any request rather than a doubling.`;
    return { title: 'remote-api throughput and scale-out', body, targets };
  } finally {
    await balancer.close();
    for (const api of apis) await api.stop();
    await stack.close();
  }
}
