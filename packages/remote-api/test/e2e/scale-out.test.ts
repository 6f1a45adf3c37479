/**
 * Scale-out: two remote API processes behind a TCP round-robin on loopback (a Kubernetes Service
 * in front of two replicas), sharing one emulator. Every call goes over a new connection, so the
 * round-robin alternates: the same calls work through either process, the clustersPerUser quota
 * holds with concurrent creates spread over both (the ledger in the Kubernetes API), and after a
 * write through one process the other's watch cache serves it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RoundRobin, startRoundRobin } from '../../../devstack/src/index.js';
import { type LocalStack, startLocalStack } from '../../../devstack/src/stack.js';
import { OWNER_LABEL } from '../../src/identity.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const NS = 'team-s';
const LEDGER_NS = 'cnpg-mcp';
const QUOTA = 3;

interface ApiProcess {
  name: string;
  url: string;
  metricsUrl: string;
  child: ChildProcess;
  /** Audit records written so far (stdout). */
  audit(): { tool: string; outcome: string }[];
}

let stack: LocalStack;
let balancer: RoundRobin;
const processes: ApiProcess[] = [];
let token: string;

async function startProcess(name: string, env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  // Generous: the child compiles TypeScript through tsx, slow on a busy machine.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const started = /"msg":"remote API listening","url":"([^"]+)".*"metrics":"([^"]+)"/.exec(stderr);
    if (started) {
      return {
        name,
        url: started[1]!,
        metricsUrl: started[2]!,
        child,
        audit: () =>
          stdout
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { tool: string; outcome: string }),
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One JSON-RPC call over a connection of its own (so the round-robin picks the next process). */
function rpc(url: string, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/mcp`,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch {
            reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type ToolResult = {
  isError?: boolean;
  content: { text: string }[];
  structuredContent?: Record<string, unknown>;
};

async function callTool(url: string, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  const answer = await rpc(url, 'tools/call', { name, arguments: args });
  assert.ok(answer.result, JSON.stringify(answer));
  return answer.result as ToolResult;
}

const callsOf = (api: ApiProcess, tool: string) => api.audit().filter((record) => record.tool === tool);

before(async () => {
  stack = await startLocalStack({ kube: { namespaces: [NS, LEDGER_NS], stepDelayMs: 0 }, remoteApi: false });
  token = await stack.tokenFor('alice');
  balancer = await startRoundRobin();
  const policyFile = join(mkdtempSync(join(tmpdir(), 'cnpg-scale-out-')), 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({ namespaces: { everyone: [NS] }, quotas: { clustersPerUser: QUOTA } }),
  );
  const env = {
    OIDC_ISSUER: stack.issuer,
    OIDC_AUDIENCE: stack.audience,
    KUBECONFIG: stack.kubeconfigPath,
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    POLICY_FILE: policyFile,
    DEFAULT_NAMESPACE: NS,
    QUOTA_NAMESPACE: LEDGER_NS,
    // The balancer is the pair's public address.
    ALLOWED_HOSTS: new URL(balancer.url).host,
  };
  processes.push(...(await Promise.all([startProcess('A', env), startProcess('B', env)])));
  balancer.backends.push(...processes.map((api) => api.url));
});

after(async () => {
  for (const api of processes) if (api.child.exitCode === null) api.child.kill('SIGKILL');
  await balancer?.close();
  await stack?.close();
});

test('the same calls work through either process', async () => {
  for (let i = 0; i < 4; i += 1) {
    const who = await callTool(balancer.url, 'whoami', {});
    assert.ok(!who.isError, '!who.isError');
    assert.equal(who.structuredContent?.email, 'alice@example.com');
  }
  for (let i = 0; i < 4; i += 1) {
    const list = await callTool(balancer.url, 'cluster_list', {});
    assert.ok(!list.isError, JSON.stringify(list.content));
  }
  for (const api of processes) {
    assert.equal(callsOf(api, 'whoami').length, 2, `${api.name} answered every other call`);
    assert.equal(callsOf(api, 'cluster_list').length, 2);
  }
});

test('clustersPerUser holds with concurrent creates spread over both processes', async () => {
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      callTool(balancer.url, 'cluster_create', { name: `pg-q-${i}`, storage_size: '1Gi', instances: 1 }),
    ),
  );
  const userId = String((await callTool(balancer.url, 'whoami', {})).structuredContent?.userId);
  const clusters = (await stack.admin.custom.listNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: NS,
    plural: 'clusters',
    labelSelector: `${OWNER_LABEL}=${userId}`,
  })) as { items: unknown[] };
  assert.equal(clusters.items.length, QUOTA, 'Clusters in the Kubernetes API');
  assert.equal(results.filter((r) => !r.isError).length, QUOTA);
  for (const refused of results.filter((r) => r.isError)) {
    assert.match(refused.content[0]!.text, /quota\.clustersPerUser/);
  }
  for (const api of processes) {
    assert.equal(callsOf(api, 'cluster_create').length, 4, `${api.name} took half of the creates`);
  }
});

test("a write through one process is served from the other's cache", async () => {
  const [a, b] = processes as [ApiProcess, ApiProcess];
  const created = (await callTool(b.url, 'cluster_list', {})).structuredContent as {
    clusters: { name: string; instances: number }[];
  };
  const target = created.clusters.find((c) => c.instances === 1)?.name;
  assert.ok(target, 'a cluster to scale');
  const scaled = await callTool(a.url, 'cluster_scale', { name: target, instances: 2 });
  assert.ok(!scaled.isError, JSON.stringify(scaled.content));
  const fromCache = async () =>
    Number(
      /cnpg_mcp_kube_reads_total\{resource="clusters",source="cache"\} (\d+)/.exec(
        await (await fetch(`${b.metricsUrl}`)).text(),
      )?.[1] ?? 0,
    );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const before = await fromCache();
    const status = await callTool(b.url, 'cluster_status', { name: target });
    const served = (await fromCache()) > before;
    if ((status.structuredContent?.cluster as { instances?: number })?.instances === 2 && served) break;
    if (Date.now() > deadline)
      assert.fail(`B never served the scaled cluster from its cache: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
