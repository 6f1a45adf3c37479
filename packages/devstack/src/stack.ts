/**
 * The local stack, assembled one way for the tests, the benchmarks and `npm start`: the OpenID
 * provider, the Kubernetes emulator and the remote API on top of them, all on 127.0.0.1. With
 * KUBE_CONFORMANCE=real the cluster KUBECONFIG names stands where the emulator would
 * (real-cluster.ts): the same tests, on the same path, against CloudNativePG itself.
 * Product code never imports this module (it imports the remote API, not the other way round).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadConfig,
  type RemoteApiOptions,
  type RunningRemoteApi,
  startRemoteApi,
} from '@cnpg-mcp/remote-api';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type KubeEmulator, type KubeEmulatorOptions, startKubeEmulator } from './kube/index.js';
import { connectRealCluster, realCluster } from './real-cluster.js';

export { emulatorOnly, realCluster } from './real-cluster.js';

import {
  DEFAULT_SCOPE,
  type DevOidc,
  type DevOidcOptions,
  type DevTokens,
  loginForTokens,
  startDevOidc,
} from './oidc/index.js';

type LineSink = NonNullable<RemoteApiOptions['logSink']>;

/** Collects the JSON lines (logs, audit records) of a remote API running in this process. */
export class MemoryLines implements LineSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  async close(): Promise<void> {}
  records<T = Record<string, unknown>>(): T[] {
    return this.lines.map((line) => JSON.parse(line) as T);
  }
}

export interface RemoteApiSettings {
  /**
   * Its settings (the environment variables of docs/remote-api.md), over the stack's: the
   * provider's issuer and audience, the emulator's admin kubeconfig, 127.0.0.1 on a free port.
   */
  env?: Record<string, string>;
  /** The authorization policy, written to a file and passed as POLICY_FILE. */
  policy?: Record<string, unknown>;
  /**
   * 'memory' (the default): log lines (debug and up) and audit records are kept in `logs` and
   * `audit`. 'settings': they go where LOG_LEVEL and AUDIT_LOG say (stderr, stdout, a file).
   */
  lines?: 'memory' | 'settings';
}

export interface LocalStackOptions {
  /** The OpenID provider: port (0, the default: any free one), token lifetimes. */
  oidc?: DevOidcOptions;
  /**
   * The Kubernetes emulator: namespaces, cnpgVersion, stepDelayMs, users, rbac, kubeconfigPath…
   * (against a real cluster only the namespaces count: they are created, and removed at close).
   */
  kube?: KubeEmulatorOptions;
  /** The remote API started with the stack; false: none (start one with `startApi`, or run your own). */
  remoteApi?: RemoteApiSettings | false;
}

export interface StackApi extends RunningRemoteApi {
  /** http://127.0.0.1:PORT/mcp */
  mcpUrl: URL;
  /** Its log lines and audit records (empty when `lines` is 'settings'). */
  logs: MemoryLines;
  audit: MemoryLines;
}

/** Direct access to the emulator as its administrator (what kubectl would be). */
export interface AdminKube {
  config: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
}

export interface LocalStack {
  oidc: DevOidc;
  kube: KubeEmulator;
  issuer: string;
  audience: string;
  /** The emulator's administrator kubeconfig (the one the remote API uses unless told otherwise). */
  kubeconfigPath: string;
  admin: AdminKube;
  /** The remote API started with the stack (throws when it was started without one). */
  api: StackApi;
  /** The access token of a devstack user (alice, bob, admin, …) from a complete login. */
  tokenFor(username: string, scopes?: string): Promise<string>;
  /** The tokens of that login (access, refresh, id). */
  tokensFor(username: string, scopes?: string): Promise<DevTokens>;
  /** Another remote API on the same provider and emulator (another policy, other settings); closed with the stack. */
  startApi(settings?: RemoteApiSettings): Promise<StackApi>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => {});
  };
  try {
    const oidc = await startDevOidc(options.oidc);
    closers.push(() => oidc.close());
    const kube = realCluster ? await connectRealCluster(options.kube) : await startKubeEmulator(options.kube);
    closers.push(() => kube.close());
    const scratch = mkdtempSync(join(tmpdir(), 'cnpg-stack-'));
    closers.push(async () => rmSync(scratch, { recursive: true, force: true }));

    let policies = 0;
    const startApi = async (settings: RemoteApiSettings = {}): Promise<StackApi> => {
      const policyFile = settings.policy && join(scratch, `policy-${++policies}.json`);
      if (policyFile) writeFileSync(policyFile, JSON.stringify(settings.policy));
      const inMemory = (settings.lines ?? 'memory') === 'memory';
      const logs = new MemoryLines();
      const audit = new MemoryLines();
      const config = loadConfig({
        HOST: '127.0.0.1',
        PORT: '0',
        OIDC_ISSUER: oidc.issuer,
        OIDC_AUDIENCE: oidc.audience,
        KUBECONFIG: kube.kubeconfigPath,
        WAIT_POLL_MS: '100',
        SHUTDOWN_TIMEOUT_SECONDS: '1',
        ...(inMemory ? { LOG_LEVEL: 'debug' } : {}),
        ...(policyFile ? { POLICY_FILE: policyFile } : {}),
        ...settings.env,
      });
      const api = await startRemoteApi(config, inMemory ? { logSink: logs, auditSink: audit } : {});
      closers.push(() => api.close());
      return Object.assign(api, { mcpUrl: new URL(`${api.url}/mcp`), logs, audit });
    };

    const first = options.remoteApi === false ? undefined : await startApi(options.remoteApi);
    const config = new KubeConfig();
    config.loadFromFile(kube.kubeconfigPath);
    const tokensFor = (username: string, scopes = DEFAULT_SCOPE) =>
      loginForTokens(oidc, { username, scope: scopes });
    return {
      oidc,
      kube,
      issuer: oidc.issuer,
      audience: oidc.audience,
      kubeconfigPath: kube.kubeconfigPath,
      admin: {
        config,
        custom: config.makeApiClient(CustomObjectsApi),
        core: config.makeApiClient(CoreV1Api),
      },
      get api(): StackApi {
        if (!first) throw new Error('this stack was started without a remote API (remoteApi: false)');
        return first;
      },
      tokensFor,
      tokenFor: async (username, scopes) => (await tokensFor(username, scopes)).access_token,
      startApi,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
