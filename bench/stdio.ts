/**
 * The desktop side against bare Node.js and mcp-remote 0.15.1, all in the same run:
 * 1. start-up: spawn → initialize → tools/list answered (bare Node: `node -e 0` spawn → exit),
 *    interleaved runs;
 * 2. per-call overhead of a read tool through cnpg-mcp and through mcp-remote, over the SDK client
 *    talking HTTP to the remote API directly (the floor), interleaved rounds;
 * 3. memory (RSS) of bare Node, mcp-remote, the cnpg-mcp stdio server and its sidecar: after
 *    start-up, under load (peak) and idle after the load;
 * 4. refresh storm: 100 concurrent calls across an access-token expiry.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SidecarClient } from '@cnpg-mcp/auth-sidecar';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loginForTokens } from '../packages/devstack/src/index.js';
import { timeBareNode, timeToToolList } from './lib/raw-stdio.js';
import { type BenchSection, type Target, table } from './lib/report.js';
import { rssMiB } from './lib/rss.js';
import { type RemoteApiProcess, type Stack, spawnRemoteApi, startStack } from './lib/stack.js';
import { fixed, summarize } from './lib/stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CNPG_MCP = join(ROOT, 'packages/stdio-server/dist/bundle/bin/cnpg-mcp.js');
const MCP_REMOTE = join(ROOT, 'node_modules/mcp-remote/dist/proxy.js');
const HANDSHAKE_RUNS = Number(process.env.BENCH_HANDSHAKE_RUNS ?? 20);
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const READ_CALL = { name: 'cluster_list', arguments: { namespace: 'default' } };
const MIB = 50;

interface Home {
  env: Record<string, string>;
  runtimeDir: string;
  remove(): void;
}

/** A private HOME and XDG dirs, so the benchmark never touches the person's login or sidecar. */
function privateHome(): Home {
  const dir = mkdtempSync(join(tmpdir(), 'cnpg-bench-home-'));
  const runtimeDir = join(dir, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !name.startsWith('CNPG_MCP_') &&
      !name.startsWith('XDG_') &&
      name !== 'DISPLAY'
    ) {
      env[name] = value;
    }
  }
  Object.assign(env, {
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  });
  return { env, runtimeDir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Settings for one cnpg-mcp process. A refresh token rotates on use, so each process that logs in
 * gets a grant of its own (sharing one would make the provider revoke it as reused).
 */
function cnpgMcpEnv(
  stack: Stack,
  api: RemoteApiProcess,
  home: Home,
  refreshToken?: string,
): Record<string, string> {
  return {
    ...home.env,
    CNPG_MCP_ISSUER: stack.oidc.issuer,
    CNPG_MCP_CLIENT_ID: stack.oidc.clientId,
    CNPG_MCP_AUDIENCE: stack.oidc.audience,
    CNPG_MCP_REMOTE_URL: `${api.url}/mcp`,
    ...(refreshToken ? { CNPG_MCP_REFRESH_TOKEN: refreshToken } : {}),
    CNPG_MCP_OPEN_BROWSER: 'false',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '0',
  };
}

interface Session {
  client: Client;
  pid: number;
  close(): Promise<void>;
}

async function stdioSession(command: string[], env: Record<string, string>): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: command,
    env,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error(`${command[0]} did not start`);
  return { client, pid, close: () => client.close() };
}

function mcpRemoteCommand(api: RemoteApiProcess, token: string): string[] {
  return [
    MCP_REMOTE,
    `${api.url}/mcp`,
    '--transport',
    'http-only',
    '--header',
    `Authorization: Bearer ${token}`,
  ];
}

async function sidecarPids(runtimeDir: string): Promise<number[]> {
  const dir = join(runtimeDir, 'cnpg-mcp');
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const name of readdirSync(dir).filter((entry) => entry.endsWith('.sock'))) {
    const client = new SidecarClient(join(dir, name));
    try {
      pids.push((await client.health()).pid);
    } catch {
      // a stale socket: nothing answers there
    } finally {
      await client.close();
    }
  }
  return pids;
}

async function sidecarPid(runtimeDir: string): Promise<number> {
  const [pid] = await sidecarPids(runtimeDir);
  if (pid === undefined) throw new Error(`no sidecar answers under ${runtimeDir}`);
  return pid;
}

/** Stops the sidecars a benchmark started, then removes its private home. */
async function removeHome(home: Home): Promise<void> {
  for (const pid of await sidecarPids(home.runtimeDir)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  home.remove();
}

async function timeCalls(client: Client, calls: number, sample?: () => void): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    const result = await client.callTool(READ_CALL);
    latencies.push(performance.now() - started);
    if (result.isError) throw new Error(`the read call failed: ${JSON.stringify(result.content)}`);
    if (sample && i % 10 === 0) sample();
  }
  return latencies;
}

async function freshRefreshToken(stack: Stack): Promise<string> {
  const { refresh_token } = await loginForTokens(stack.oidc, { username: 'admin' });
  if (!refresh_token) throw new Error('the login returned no refresh token');
  return refresh_token;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS of an idle bare Node.js process (a timer keeps it alive), a second after it started. */
async function bareNodeRss(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { env, stdio: 'ignore' });
  await pause(1000);
  const rss = rssMiB(child.pid ?? 0);
  child.kill();
  return rss;
}

async function refreshStorm(): Promise<{ refreshes: number; errors: number }> {
  const stack = await startStack({ accessTokenTtlSeconds: 4 });
  const api = await spawnRemoteApi(stack.oidc, stack.kube);
  const home = privateHome();
  try {
    const session = await stdioSession([CNPG_MCP], cnpgMcpEnv(stack, api, home, stack.refreshToken));
    await session.client.callTool({ name: 'whoami', arguments: {} });
    await pause(4500);
    const before = stack.oidc.tokenEndpointCalls().refresh_token ?? 0;
    const results = await Promise.all(
      Array.from({ length: 100 }, () => session.client.callTool({ name: 'whoami', arguments: {} })),
    );
    const refreshes = (stack.oidc.tokenEndpointCalls().refresh_token ?? 0) - before;
    await session.close();
    return { refreshes, errors: results.filter((result) => result.isError).length };
  } finally {
    await removeHome(home);
    await api.stop();
    await stack.close();
  }
}

export async function runStdioBench(): Promise<BenchSection> {
  const stack = await startStack({ clusters: 10 });
  const api = await spawnRemoteApi(stack.oidc, stack.kube);
  const homes: Home[] = [];
  const newHome = () => {
    const home = privateHome();
    homes.push(home);
    return home;
  };
  try {
    // 1. Start-up, interleaved so that all three see the same machine conditions.
    const startup = { bare: [] as number[], cnpg: [] as number[], remote: [] as number[] };
    const quiet = newHome().env;
    for (let run = 0; run < HANDSHAKE_RUNS; run += 1) {
      startup.bare.push(await timeBareNode(quiet));
      startup.cnpg.push(await timeToToolList([CNPG_MCP], cnpgMcpEnv(stack, api, newHome())));
      startup.remote.push(await timeToToolList(mcpRemoteCommand(api, stack.accessToken), newHome().env));
    }
    const start = {
      bare: summarize(startup.bare),
      cnpg: summarize(startup.cnpg),
      remote: summarize(startup.remote),
    };
    const startRatio = start.cnpg.p50 / start.bare.p50;

    // 2 and 3. Per-call latency and memory, one long-lived session each.
    const bareRss = await bareNodeRss(quiet);
    const home = newHome();
    const cnpg = await stdioSession([CNPG_MCP], cnpgMcpEnv(stack, api, home, await freshRefreshToken(stack)));
    const remote = await stdioSession(mcpRemoteCommand(api, stack.accessToken), newHome().env);
    await pause(1000);
    const started = { stdio: rssMiB(cnpg.pid), mcpRemote: rssMiB(remote.pid) };
    const floor = new Client({ name: 'bench-floor', version: '1.0.0' });
    await floor.connect(
      new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${stack.accessToken}` } },
      }),
    );
    for (const client of [cnpg.client, remote.client, floor]) await timeCalls(client, 20);
    const sidecar = await sidecarPid(home.runtimeDir);
    const peak = { stdio: started.stdio, sidecar: rssMiB(sidecar), mcpRemote: started.mcpRemote };
    const sample = () => {
      peak.stdio = Math.max(peak.stdio, rssMiB(cnpg.pid));
      peak.sidecar = Math.max(peak.sidecar, rssMiB(sidecar));
      peak.mcpRemote = Math.max(peak.mcpRemote, rssMiB(remote.pid));
    };
    const perCall = { cnpg: [] as number[], remote: [] as number[], floor: [] as number[] };
    const rounds = 10;
    for (let round = 0; round < rounds; round += 1) {
      perCall.cnpg.push(...(await timeCalls(cnpg.client, CALLS / rounds, sample)));
      perCall.remote.push(...(await timeCalls(remote.client, CALLS / rounds, sample)));
      perCall.floor.push(...(await timeCalls(floor, CALLS / rounds)));
    }
    await pause(1000);
    const after = { stdio: rssMiB(cnpg.pid), sidecar: rssMiB(sidecar), mcpRemote: rssMiB(remote.pid) };
    await cnpg.close();
    await remote.close();
    await floor.close();
    const calls = {
      cnpg: summarize(perCall.cnpg),
      remote: summarize(perCall.remote),
      floor: summarize(perCall.floor),
    };
    const overhead = { cnpg: calls.cnpg.p50 - calls.floor.p50, remote: calls.remote.p50 - calls.floor.p50 };

    // 4. Refresh storm.
    const storm = await refreshStorm();

    const stdioWorst = Math.max(started.stdio, peak.stdio, after.stdio);
    const sidecarWorst = Math.max(peak.sidecar, after.sidecar);
    const targets: Target[] = [
      {
        name: 'spawn → tools/list answered, median, cnpg-mcp vs bare `node -e 0`',
        target: '≤ 2×',
        actual: `${fixed(startRatio)}× (${fixed(start.cnpg.p50, 0)} vs ${fixed(start.bare.p50, 0)} ms)`,
        met: startRatio <= 2,
      },
      {
        name: 'per-call overhead over the SDK client talking HTTP directly (p50)',
        target: '≤ +0.5 ms',
        actual: `+${fixed(overhead.cnpg)} ms`,
        met: overhead.cnpg <= 0.5,
      },
      {
        name: 'stdio server RSS, after start-up, under load and idle after it',
        target: `≤ ${MIB} MiB`,
        actual: `${fixed(stdioWorst, 1)} MiB at most`,
        met: stdioWorst <= MIB,
      },
      {
        name: 'sidecar RSS, under load and idle after it',
        target: `≤ ${MIB} MiB`,
        actual: `${fixed(sidecarWorst, 1)} MiB at most`,
        met: sidecarWorst <= MIB,
      },
      {
        name: 'refreshes at the provider for 100 concurrent calls across an expiry',
        target: 'exactly 1',
        actual: String(storm.refreshes),
        met: storm.refreshes === 1,
      },
    ];
    const body = `### Start-up: spawn → initialize → tools/list answered (${HANDSHAKE_RUNS} interleaved runs each)

Raw JSON-RPC over stdio (no MCP client library on the measuring side); bare Node.js is
\`node -e 0\` from spawn to exit, the floor any Node.js program starts from.

${table(
  ['program', 'median ms', 'p99 ms', 'min ms', '× bare Node (median)'],
  [
    ['bare `node -e 0`', fixed(start.bare.p50), fixed(start.bare.p99), fixed(start.bare.min), '1.00'],
    [
      'cnpg-mcp (catalogue, no network)',
      fixed(start.cnpg.p50),
      fixed(start.cnpg.p99),
      fixed(start.cnpg.min),
      fixed(start.cnpg.p50 / start.bare.p50),
    ],
    [
      'mcp-remote 0.15.1 (initializes the remote first)',
      fixed(start.remote.p50),
      fixed(start.remote.p99),
      fixed(start.remote.min),
      fixed(start.remote.p50 / start.bare.p50),
    ],
  ],
)}

### Per-call latency of \`cluster_list\` (${CALLS} calls each, interleaved in ${rounds} rounds)

${table(
  ['path', 'p50 ms', 'p99 ms', 'overhead at p50'],
  [
    ['SDK client over HTTP → remote-api (floor)', fixed(calls.floor.p50), fixed(calls.floor.p99), '—'],
    [
      'SDK client → cnpg-mcp (stdio) → sidecar → remote-api',
      fixed(calls.cnpg.p50),
      fixed(calls.cnpg.p99),
      `+${fixed(overhead.cnpg)} ms`,
    ],
    [
      'SDK client → mcp-remote (stdio) → remote-api',
      fixed(calls.remote.p50),
      fixed(calls.remote.p99),
      `+${fixed(overhead.remote)} ms`,
    ],
  ],
)}

### Memory (RSS, MiB)

${table(
  ['process', 'after start-up', 'under load (peak)', 'idle after load'],
  [
    ['bare Node.js (idle, 1 s after start)', fixed(bareRss, 1), '—', '—'],
    ['cnpg-mcp stdio server', fixed(started.stdio, 1), fixed(peak.stdio, 1), fixed(after.stdio, 1)],
    ['cnpg-mcp auth sidecar', '—', fixed(peak.sidecar, 1), fixed(after.sidecar, 1)],
    ['mcp-remote 0.15.1', fixed(started.mcpRemote, 1), fixed(peak.mcpRemote, 1), fixed(after.mcpRemote, 1)],
  ],
)}

### Refresh storm

100 concurrent \`whoami\` calls through cnpg-mcp right after the access token expired:
**${storm.refreshes}** refresh request(s) at the provider, ${storm.errors} failed calls.`;
    return { title: 'Desktop side: cnpg-mcp vs bare Node.js and mcp-remote', body, targets };
  } finally {
    await api.stop();
    await stack.close();
    for (const home of homes) await removeHome(home);
  }
}
