import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevOidc, KubeEmulator } from '../../packages/devstack/src/index.js';
import { startLocalStack } from '../../packages/devstack/src/stack.js';

const ROOT = new URL('../..', import.meta.url).pathname;
export const REMOTE_API_MAIN = join(ROOT, 'packages/remote-api/dist/main.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export async function waitForOk(url: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready: ${last}`);
}

export interface RemoteApiProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function spawnRemoteApi(
  oidc: DevOidc,
  kube: KubeEmulator,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<RemoteApiProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cnpg-bench-api-'));
  const child = spawn(process.execPath, [...nodeArgs, REMOTE_API_MAIN], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: oidc.audience,
      KUBECONFIG: kube.kubeconfigPath,
      LOG_LEVEL: 'warn',
      AUDIT_LOG: join(dir, 'audit.log'),
      // One token drives up to 64 concurrent calls: the per-caller cap is not what is measured.
      MAX_IN_FLIGHT_PER_CALLER: '1000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/readyz`);
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Stack {
  oidc: DevOidc;
  kube: KubeEmulator;
  accessToken: string;
  refreshToken: string;
  close(): Promise<void>;
}

/**
 * Provider and emulator in this process, with a logged-in user's access token. The remote API is
 * measured as its own process (spawnRemoteApi), so the stack starts none.
 */
export async function startStack(
  options: { clusters?: number; accessTokenTtlSeconds?: number } = {},
): Promise<Stack> {
  const stack = await startLocalStack({
    oidc: { accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600 },
    kube: { stepDelayMs: 0 },
    remoteApi: false,
  });
  const { oidc, kube } = stack;
  const { access_token, refresh_token } = await stack.tokensFor('admin');
  if (!refresh_token) throw new Error('the login returned no refresh token');
  for (let i = 0; i < (options.clusters ?? 0); i += 1) {
    await fetch(`${kube.url}/apis/postgresql.cnpg.io/v1/namespaces/default/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: `bench-${i}` },
        spec: { instances: 3, storage: { size: '1Gi' } },
      }),
    });
  }
  await kube.settle();
  return {
    oidc,
    kube,
    accessToken: access_token,
    refreshToken: refresh_token,
    close: () => stack.close(),
  };
}
