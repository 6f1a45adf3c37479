import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DevOidc, KubeEmulator } from '../../../devstack/src/index.js';
import { type LocalStack, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
let stack: LocalStack;
let oidc: DevOidc;
let kube: KubeEmulator;

// The remote API runs as its own process here (main.ts), on the stack's provider and emulator.
before(async () => {
  stack = await startLocalStack({ kube: { stepDelayMs: 100 }, remoteApi: false });
  ({ oidc, kube } = stack);
});

const children: ChildProcess[] = [];

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await stack.close();
});
function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  return { child, stderr: () => stderr, stdout: () => stdout };
}

async function listeningUrl(proc: { child: ChildProcess; stderr: () => string }): Promise<string> {
  // Generous: the child compiles TypeScript through tsx, slow on a busy machine.
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    const match = /"msg":"remote API listening","url":"([^"]+)"/.exec(proc.stderr());
    if (match?.[1]) return match[1];
    if (proc.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`remote API did not start: ${proc.stderr()}`);
}

test('a bad setting stops start-up with a message naming the variable', async () => {
  const proc = run({ OIDC_ISSUER: 'not a url', OIDC_AUDIENCE: 'x', PORT: '99999' });
  const [code] = await once(proc.child, 'exit');
  assert.equal(code, 1);
  assert.match(proc.stderr(), /OIDC_ISSUER: expected the issuer URL/);
  assert.match(proc.stderr(), /PORT:/);
});

test('SIGTERM: stop accepting, finish the in-flight call, exit 0; audit on stdout, logs on stderr', async () => {
  const proc = run({
    OIDC_ISSUER: oidc.issuer,
    OIDC_AUDIENCE: oidc.audience,
    KUBECONFIG: kube.kubeconfigPath,
    HOST: '127.0.0.1',
    PORT: '0',
    WAIT_POLL_MS: '100',
  });
  const url = await listeningUrl(proc);
  const token = await stack.tokenFor('alice');
  const client = await connectClient({ mcpUrl: new URL(`${url}/mcp`) }, token);
  let signalled = false;
  const result = await client.callTool(
    { name: 'cluster_create', arguments: { name: 'pg-term', instances: 2, storage_size: '1Gi', wait: true } },
    undefined,
    {
      onprogress: () => {
        if (signalled) return;
        signalled = true;
        proc.child.kill('SIGTERM');
      },
    },
  );
  assert.ok(signalled, 'signalled');
  assert.ok(!result.isError, JSON.stringify(result.content));
  assert.equal((result.structuredContent as { readyInstances: number }).readyInstances, 2);
  const [code] = await once(proc.child, 'exit');
  assert.equal(code, 0);
  await assert.rejects(fetch(`${url}/healthz`), 'no longer accepting connections');
  assert.match(proc.stderr(), /received SIGTERM/);
  const audit = proc
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; tool: string; outcome: string });
  assert.deepEqual(
    audit.map((l) => [l.type, l.tool, l.outcome]),
    [['audit', 'cluster_create', 'success']],
  );
  assert.ok(!proc.stderr().includes(token.split('.')[1]!), 'no token in the logs');
  await client.close().catch(() => {});
});
