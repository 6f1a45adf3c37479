/**
 * `npm run soak`: tool calls at a steady rate for SOAK_SECONDS (default 600) against a remote-api
 * process on the local stack; reports errors, latency and the memory of each process at the start
 * and the end. SOAK_MAX_OLD_SPACE_MB caps the remote API's heap, which tells a leak (it would
 * crash) from V8 merely growing its heap while it may. Not part of CI.
 */
import { Pool } from 'undici';
import { rssMiB } from './lib/rss.js';
import { spawnRemoteApi, startStack } from './lib/stack.js';
import { fixed, summarize } from './lib/stats.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 50);

const stack = await startStack({ clusters: 5 });
const heapCap = process.env.SOAK_MAX_OLD_SPACE_MB;
const api = await spawnRemoteApi(
  stack.oidc,
  stack.kube,
  {},
  heapCap ? [`--max-old-space-size=${heapCap}`] : [],
);
const pid = api.child.pid;
if (pid === undefined) throw new Error('remote-api did not start');
const pool = new Pool(api.url, { connections: 8 });
const bodies = [
  { name: 'whoami', arguments: {} },
  { name: 'cluster_list', arguments: { namespace: 'default' } },
  { name: 'cluster_status', arguments: { namespace: 'default', name: 'bench-0' } },
].map((params) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }));

const memory = { apiStart: rssMiB(pid), selfStart: process.memoryUsage().rss / 2 ** 20 };
const latencies: number[] = [];
let errors = 0;
let sent = 0;
const started = performance.now();
const inFlight = new Set<Promise<void>>();
while (performance.now() - started < SECONDS * 1000) {
  const due = Math.floor(((performance.now() - started) / 1000) * RATE);
  while (sent < due) {
    const body = bodies[sent % bodies.length]!;
    sent += 1;
    const t0 = performance.now();
    const call = pool
      .request({
        path: '/mcp',
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      })
      .then(async (response) => {
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.includes('"isError":true')) errors += 1;
        latencies.push(performance.now() - t0);
      })
      .catch(() => {
        errors += 1;
      })
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await Promise.all(inFlight);
const memoryEnd = { api: rssMiB(pid), self: process.memoryUsage().rss / 2 ** 20 };
const summary = summarize(latencies);
console.log(`soak: ${SECONDS}s at ${RATE} calls/s → ${latencies.length} calls, ${errors} errors
latency ms: p50 ${fixed(summary.p50)}, p99 ${fixed(summary.p99)}, max ${fixed(summary.max)}
remote-api RSS MiB: start ${fixed(memory.apiStart, 1)}, end ${fixed(memoryEnd.api, 1)}
stack (provider + emulator + load) RSS MiB: start ${fixed(memory.selfStart, 1)}, end ${fixed(memoryEnd.self, 1)}`);
await pool.close();
await api.stop();
await stack.close();
process.exit(errors === 0 ? 0 : 1);
