/**
 * The desktop side against mcp-remote and the floor:
 * 1. handshake (spawn → initialize → tools/list answered), interleaved runs;
 * 2. per-call overhead of a read tool through cnpg-mcp, through mcp-remote, and directly over HTTP;
 * 4. refresh storm: 100 concurrent calls across an access-token expiry;
 * 5. memory of the stdio server and the sidecar, idle and under load, vs mcp-remote.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SidecarClient } from '@cnpg-mcp/auth-sidecar';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loginForTokens } from '../packages/devstack/src/index.js';
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

async function handshakeMs(command: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const session = await stdioSession(command, env);
  await session.client.listTools();
  const elapsed = performance.now() - started;
  await session.close();
  return elapsed;
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

async function refreshStorm(): Promise<{ refreshes: number; errors: number }> {
  const stack = await startStack({ accessTokenTtlSeconds: 4 });
  const api = await spawnRemoteApi(stack.oidc, stack.kube);
  const home = privateHome();
  try {
    const session = await stdioSession([CNPG_MCP], cnpgMcpEnv(stack, api, home, stack.refreshToken));
    await session.client.callTool({ name: 'whoami', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 4500));
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
    // 1. Handshake, interleaved so both see the same machine conditions.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let run = 0; run < HANDSHAKE_RUNS; run += 1) {
      ours.push(await handshakeMs([CNPG_MCP], cnpgMcpEnv(stack, api, newHome())));
      theirs.push(await handshakeMs(mcpRemoteCommand(api, stack.accessToken), newHome().env));
    }
    const handshake = { ours: summarize(ours), theirs: summarize(theirs) };
    const handshakeRatio = handshake.ours.p50 / handshake.theirs.p50;

    // 2 and 5. Per-call latency and memory, one long-lived session each.
    const home = newHome();
    const cnpg = await stdioSession([CNPG_MCP], cnpgMcpEnv(stack, api, home, await freshRefreshToken(stack)));
    const remote = await stdioSession(mcpRemoteCommand(api, stack.accessToken), newHome().env);
    const floor = new Client({ name: 'bench-floor', version: '1.0.0' });
    await floor.connect(
      new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${stack.accessToken}` } },
      }),
    );
    for (const client of [cnpg.client, remote.client, floor]) await timeCalls(client, 20);
    const sidecar = await sidecarPid(home.runtimeDir);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = { stdio: rssMiB(cnpg.pid), sidecar: rssMiB(sidecar), mcpRemote: rssMiB(remote.pid) };
    const peak = { ...idle };
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
    await cnpg.close();
    await remote.close();
    await floor.close();
    const calls = {
      cnpg: summarize(perCall.cnpg),
      remote: summarize(perCall.remote),
      floor: summarize(perCall.floor),
    };
    const overhead = calls.cnpg.p50 - calls.floor.p50;

    // 4. Refresh storm.
    const storm = await refreshStorm();

    const targets: Target[] = [
      {
        name: 'handshake vs mcp-remote (median)',
        target: '≤ 0.5×',
        actual: `${fixed(handshakeRatio)}×`,
        met: handshakeRatio <= 0.5,
      },
      {
        name: 'per-call overhead over the floor (p50)',
        target: '≤ 1 ms',
        actual: `${fixed(overhead)} ms`,
        met: overhead <= 1,
      },
      {
        name: 'refreshes at the provider for 100 concurrent calls across an expiry',
        target: 'exactly 1',
        actual: String(storm.refreshes),
        met: storm.refreshes === 1,
      },
      {
        name: 'stdio server RSS under load',
        target: '≤ 60 MB',
        actual: `${fixed(peak.stdio, 1)} MiB`,
        met: peak.stdio <= 60,
      },
      {
        name: 'sidecar RSS under load',
        target: '≤ 60 MB',
        actual: `${fixed(peak.sidecar, 1)} MiB`,
        met: peak.sidecar <= 60,
      },
    ];
    const body = `### Handshake: spawn → initialize → tools/list (${HANDSHAKE_RUNS} interleaved runs each)

${table(
  ['client', 'median ms', 'p99 ms', 'min ms'],
  [
    [
      'cnpg-mcp (catalogue, no network)',
      fixed(handshake.ours.p50),
      fixed(handshake.ours.p99),
      fixed(handshake.ours.min),
    ],
    [
      'mcp-remote 0.15.1 (Authorization header)',
      fixed(handshake.theirs.p50),
      fixed(handshake.theirs.p99),
      fixed(handshake.theirs.min),
    ],
  ],
)}

Ratio cnpg-mcp / mcp-remote: **${fixed(handshakeRatio)}×**.

### Per-call latency of \`cluster_list\` (${CALLS} calls each, interleaved in ${rounds} rounds)

${table(
  ['path', 'p50 ms', 'p99 ms'],
  [
    ['cnpg-mcp → sidecar → remote-api', fixed(calls.cnpg.p50), fixed(calls.cnpg.p99)],
    ['mcp-remote → remote-api', fixed(calls.remote.p50), fixed(calls.remote.p99)],
    ['SDK client over HTTP → remote-api (floor)', fixed(calls.floor.p50), fixed(calls.floor.p99)],
  ],
)}

Overhead of cnpg-mcp over the floor: **${fixed(overhead)} ms** at p50; ratio to mcp-remote at p50:
**${fixed(calls.cnpg.p50 / calls.remote.p50)}×**.

### Refresh storm

100 concurrent \`whoami\` calls through cnpg-mcp right after the access token expired:
**${storm.refreshes}** refresh request(s) at the provider, ${storm.errors} failed calls.

### Memory (RSS, MiB)

${table(
  ['process', 'idle', 'under load (peak)'],
  [
    ['cnpg-mcp stdio server', fixed(idle.stdio, 1), fixed(peak.stdio, 1)],
    ['auth sidecar', fixed(idle.sidecar, 1), fixed(peak.sidecar, 1)],
    ['mcp-remote', fixed(idle.mcpRemote, 1), fixed(peak.mcpRemote, 1)],
  ],
)}`;
    return { title: 'Desktop side: cnpg-mcp vs mcp-remote and the floor', body, targets };
  } finally {
    await api.stop();
    await stack.close();
    for (const home of homes) await removeHome(home);
  }
}
