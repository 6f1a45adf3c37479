/** Starts the Kubernetes API emulator: store, registry, HTTP server, kubeconfig and controllers. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapCluster } from './api/bootstrap.js';
import { loadState, StateWriter } from './api/persistence.js';
import { Registry } from './api/registry.js';
import { RESOURCE_TYPES, ResourceCatalog } from './api/resources.js';
import { ObjectStore } from './api/store.js';
import { Authenticator } from './auth/authenticate.js';
import { Rbac, type RbacPolicy } from './auth/rbac.js';
import { concurrentStatusWrites } from './controllers/cnpg/concurrent-status-writes.js';
import { BARMAN_CLOUD_PLUGIN, type OperatorSettings } from './controllers/cnpg/operator-settings.js';
import { Controllers } from './controllers/index.js';
import { PodLogs } from './controllers/pod-logs.js';
import { WorkQueue } from './controllers/work-queue.js';
import { FaultInjector } from './http/faults.js';
import { kubeRequestListener } from './http/server.js';
import { type Traffic, TrafficCounter } from './http/traffic.js';
import { OpenWatches } from './http/watch.js';
import { renderKubeconfig } from './kubeconfig.js';
import { Clock } from './util/clock.js';
import { selfSignedCertificate } from './util/tls.js';

export interface KubeEmulatorOptions {
  /** Plain-HTTP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** HTTPS port on 127.0.0.1 (self-signed certificate); 0 (default) picks a free one. */
  httpsPort?: number;
  /**
   * Serve HTTPS and point the kubeconfig at it (default true). kubectl sends bearer tokens only
   * over TLS; with false the kubeconfig uses the plain-HTTP URL with insecure-skip-tls-verify.
   */
  tls?: boolean;
  /** The admin bearer token (user "kubernetes-admin", group system:masters); random by default. */
  token?: string;
  /** More users, each with its own bearer token. */
  users?: { username: string; token?: string; groups?: string[] }[];
  /** RBAC rules for users and groups other than system:masters. */
  rbac?: RbacPolicy;
  /** Namespaces to create besides default, kube-system, kube-public, kube-node-lease and cnpg-system. */
  namespaces?: string[];
  /**
   * The CloudNativePG release to emulate: '1.30' (default) serves every kind; '1.29' has no
   * DatabaseRole (roles are managed only through spec.managed.roles), for fallback tests.
   */
  cnpgVersion?: '1.30' | '1.29';
  /** Delay before each reconciliation step, in ms (default 100; tests use 0–5). */
  stepDelayMs?: number;
  /**
   * The CNPG-i plugins the emulated operator has (default: the Barman Cloud plugin,
   * barman-cloud.cloudnative-pg.io). A cluster enabling another one is not reconciled, and its
   * Backups get no phase, as with a real operator that cannot find the plugin.
   */
  operatorPlugins?: string[];
  /** How long a running backup takes before it completes, in ms (default 0: one step per phase). */
  backupDurationMs?: number;
  /**
   * Probability (0–1, default 0.001) that a client's write of a Cluster conditional on its
   * resourceVersion finds the operator has written the Cluster's status in between, and gets the
   * 409 Conflict a real cluster gives then. 0 turns it off.
   */
  conflictRate?: number;
  /** Where to write the kubeconfig (default: a new temporary directory). */
  kubeconfigPath?: string;
  /**
   * Keeps every object in this JSON file: loaded at start when it exists, written shortly after
   * each change and at close (default: nothing is kept). Delete the file to start afresh.
   */
  stateFile?: string;
  /** Log unexpected controller errors (default: to stderr). */
  onControllerError?: (key: string, err: unknown) => void;
}

export interface KubeEmulator {
  /** Plain HTTP: http://127.0.0.1:PORT (same API; handy for fetch). */
  url: string;
  /** HTTPS with a self-signed certificate: https://127.0.0.1:PORT (undefined when tls is false). */
  httpsUrl: string | undefined;
  /** PEM of the HTTPS certificate (trust it, or skip verification). */
  caCertPem: string | undefined;
  /** The server the kubeconfig points at (httpsUrl, or url when tls is false). */
  kubeconfigServer: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  /** The admin token written into the kubeconfig. */
  token: string;
  /** Resolves once every controller (CNPG reconciler, garbage collector) is idle. */
  settle(): Promise<void>;
  /** Moves the emulator's clock forward (e.g. to reach a backup schedule), then settles. */
  advanceTime(ms: number): Promise<void>;
  /** Adds a user with a bearer token (random when not given); returns the token. */
  addUser(user: { username: string; token?: string; groups?: string[] }): string;
  /** A kubeconfig for another token (e.g. one returned by addUser). */
  kubeconfigFor(token: string): string;
  /** Replaces the RBAC policy. */
  setRbac(policy: RbacPolicy): void;
  faults: FaultInjector;
  /** Requests (watches among them) and TCP connections received since the start or the last reset. */
  traffic(): Traffic;
  resetTraffic(): void;
  /**
   * Ends every open watch: cleanly (as the API server's watch timeout does) or, with `drop`, by
   * cutting its connection. With `expire`, the change history is forgotten first (as etcd
   * compaction does), so a client resuming from its last resourceVersion gets 410 Gone and must
   * list again. Returns how many watches were open.
   */
  interruptWatches(options?: { drop?: boolean; expire?: boolean }): number;
  close(): Promise<void>;
}

export async function startKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const clock = new Clock();
  const catalog = new ResourceCatalog(
    options.cnpgVersion === '1.29'
      ? RESOURCE_TYPES.filter((rt) => !(rt.group === 'postgresql.cnpg.io' && rt.plural === 'databaseroles'))
      : RESOURCE_TYPES,
  );
  const store = new ObjectStore();
  const registry = new Registry(store, catalog, clock);
  const loaded = options.stateFile ? loadState(store, catalog, options.stateFile) : false;
  registry.concurrentWriter = concurrentStatusWrites(store, options.conflictRate ?? 0.001);
  bootstrapCluster(registry, options.namespaces ?? []);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const authenticator = new Authenticator();
  authenticator.addToken({ token, username: 'kubernetes-admin', groups: ['system:masters'] });
  const addUser = (user: { username: string; token?: string; groups?: string[] }) => {
    const t = user.token ?? randomBytes(24).toString('base64url');
    authenticator.addToken({
      token: t,
      username: user.username,
      ...(user.groups ? { groups: user.groups } : {}),
    });
    return t;
  };
  for (const user of options.users ?? []) addUser(user);
  const rbac = new Rbac(options.rbac ?? {});
  const faults = new FaultInjector();
  const logs = new PodLogs();
  const queue = new WorkQueue(
    options.stepDelayMs ?? 100,
    options.onControllerError ??
      ((key, err) =>
        process.stderr.write(`kube emulator: controller ${key} failed: ${(err as Error).stack ?? err}\n`)),
  );
  const settings: OperatorSettings = {
    plugins: new Set(options.operatorPlugins ?? [BARMAN_CLOUD_PLUGIN]),
    backupDurationMs: options.backupDurationMs ?? 0,
  };
  const controllers = new Controllers({ registry, queue, logs, clock, settings });
  controllers.start();
  if (loaded) controllers.resyncAll();
  const stateWriter = options.stateFile ? new StateWriter(store, options.stateFile) : undefined;

  const traffic = new TrafficCounter();
  const watches = new OpenWatches();
  const listener = kubeRequestListener({ registry, authenticator, rbac, faults, logs, traffic, watches });
  const workDir = mkdtempSync(join(tmpdir(), 'cnpg-kube-'));
  const servers: Server[] = [];
  const listen = async (server: Server, port: number) => {
    servers.push(server);
    server.on('connection', () => traffic.connection());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const url = `http://127.0.0.1:${await listen(createHttpServer(listener), options.port ?? 0)}`;
  let httpsUrl: string | undefined;
  let caCertPem: string | undefined;
  if (options.tls !== false) {
    const cert = selfSignedCertificate(workDir);
    caCertPem = cert.certPem;
    const httpsServer = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, listener);
    httpsUrl = `https://127.0.0.1:${await listen(httpsServer, options.httpsPort ?? 0)}`;
  }
  const kubeconfigServer = httpsUrl ?? url;
  const kubeconfigFor = (t: string) =>
    renderKubeconfig({ server: kubeconfigServer, token: t, ...(caCertPem ? { caCertPem } : {}) });
  const kubeconfigYaml = kubeconfigFor(token);
  const kubeconfigPath = options.kubeconfigPath ?? join(workDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });

  return {
    url,
    httpsUrl,
    caCertPem,
    kubeconfigServer,
    kubeconfigPath,
    kubeconfigYaml,
    token,
    settle: () => queue.settle(),
    async advanceTime(ms: number) {
      clock.advance(ms);
      controllers.onClockAdvanced();
      await queue.settle();
    },
    addUser,
    kubeconfigFor,
    setRbac: (policy) => rbac.setPolicy(policy),
    faults,
    traffic: () => traffic.snapshot(),
    resetTraffic: () => traffic.reset(),
    interruptWatches({ drop = false, expire = false } = {}) {
      if (expire) store.compact();
      return watches.interrupt(drop ? 'drop' : 'end');
    },
    async close() {
      controllers.stop();
      queue.stop();
      stateWriter?.close();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
