/**
 * The real-cluster mode of the end-to-end tests. With KUBE_CONFORMANCE=real, startLocalStack puts
 * the cluster KUBECONFIG names (CloudNativePG installed; README "Testing against a real
 * cluster") where the emulator would be, and the same tests run against it: the OpenID provider
 * and the remote API stay local, everything Kubernetes does is real. What only the emulator can
 * do (inject faults, move its clock, add users and RBAC, emulate CloudNativePG 1.29) is refused
 * with an error that says so; the tests that need it are marked `emulatorOnly(reason)`, which
 * skips them in this mode and prints why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { KubeEmulator, KubeEmulatorOptions } from './kube/index.js';

/** True when the tests run against the real cluster KUBECONFIG names (KUBE_CONFORMANCE=real). */
export const realCluster = process.env.KUBE_CONFORMANCE === 'real';

/** node:test options that skip a test (or suite) in real-cluster mode, printing why. */
export function emulatorOnly(reason: string): { skip: string | false } {
  return { skip: realCluster ? `emulator only: ${reason}` : false };
}

/** How long the cluster must stay unchanged for settle() to return, and the most it waits (ms). */
const QUIET_MS = Number(process.env.KUBE_SETTLE_QUIET_MS ?? 3000);
const SETTLE_LIMIT_MS = Number(process.env.KUBE_SETTLE_LIMIT_MS ?? 120_000);

/** What settle() watches in the test namespaces: what CloudNativePG and its controllers change. */
const WATCHED = {
  custom: [
    'clusters',
    'backups',
    'scheduledbackups',
    'poolers',
    'databases',
    'publications',
    'subscriptions',
  ],
  core: ['pods', 'persistentvolumeclaims'],
} as const;

function notHere(what: string): never {
  throw new Error(
    `${what} exists only in the Kubernetes emulator; against a real cluster (KUBE_CONFORMANCE=real) mark the test emulatorOnly(reason)`,
  );
}

/**
 * The cluster KUBECONFIG names, in the emulator's place: the test namespaces are created (and
 * deleted at close, when this run created them), and settle() waits until nothing the operator
 * manages has changed for a while, which is when the emulator's settle() would return.
 */
export async function connectRealCluster(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  if (options.cnpgVersion === '1.29') notHere('CloudNativePG 1.29 (cnpgVersion)');
  if (options.rbac || options.users?.length) notHere('users and RBAC rules (users, rbac)');
  if (options.stateFile) notHere('a state file (stateFile)');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const server = kc.getCurrentCluster()?.server ?? notHere('a kubeconfig without a current cluster');
  // One file holding the current context, whatever KUBECONFIG lists: the remote API reads it.
  const kubeconfigYaml = kc.exportConfig();
  const kubeconfigPath =
    options.kubeconfigPath ?? join(mkdtempSync(join(tmpdir(), 'cnpg-real-')), 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const namespaces = options.namespaces ?? [];
  const created: string[] = [];
  for (const name of namespaces) {
    try {
      await core.createNamespace({ body: { metadata: { name } } });
      created.push(name);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }

  const fingerprint = async (): Promise<string> => {
    const versions: string[] = [];
    for (const namespace of namespaces) {
      for (const plural of WATCHED.custom) {
        const list = (await custom
          .listNamespacedCustomObject({ group: 'postgresql.cnpg.io', version: 'v1', namespace, plural })
          .catch(() => ({ items: [] }))) as {
          items?: { metadata?: { uid?: string; resourceVersion?: string } }[];
        };
        for (const item of list.items ?? [])
          versions.push(`${item.metadata?.uid}@${item.metadata?.resourceVersion}`);
      }
      for (const item of [
        ...(await core.listNamespacedPod({ namespace })).items,
        ...(await core.listNamespacedPersistentVolumeClaim({ namespace })).items,
      ]) {
        versions.push(`${item.metadata?.uid}@${item.metadata?.resourceVersion}`);
      }
    }
    return versions.sort().join(',');
  };

  return {
    url: server,
    httpsUrl: server.startsWith('https:') ? server : undefined,
    caCertPem: undefined,
    kubeconfigServer: server,
    kubeconfigPath,
    kubeconfigYaml,
    get token(): string {
      return notHere('the admin bearer token');
    },
    async settle() {
      const started = Date.now();
      let last = await fingerprint();
      let quietSince = Date.now();
      while (Date.now() - quietSince < QUIET_MS && Date.now() - started < SETTLE_LIMIT_MS) {
        await sleep(500);
        const now = await fingerprint();
        if (now !== last) {
          last = now;
          quietSince = Date.now();
        }
      }
    },
    advanceTime: () => notHere('moving the clock (advanceTime)'),
    addUser: () => notHere('adding users (addUser)'),
    kubeconfigFor: () => notHere('kubeconfigs for emulator users (kubeconfigFor)'),
    setRbac: () => notHere('replacing RBAC (setRbac)'),
    get faults(): KubeEmulator['faults'] {
      return notHere('fault injection (faults)');
    },
    traffic: () => notHere('counting requests (traffic)'),
    resetTraffic: () => notHere('counting requests (resetTraffic)'),
    interruptWatches: () => notHere('interrupting watches (interruptWatches)'),
    async close() {
      for (const name of created) await core.deleteNamespace({ name }).catch(() => undefined);
      // The next test file may create the same namespaces: wait until they are gone.
      const deadline = Date.now() + SETTLE_LIMIT_MS * 5;
      for (const name of created) {
        while (Date.now() < deadline) {
          const gone = await core.readNamespace({ name }).then(
            () => false,
            (error: { code?: number }) => error.code === 404,
          );
          if (gone) break;
          await sleep(1000);
        }
      }
    },
  };
}
