/**
 * Shared harness for the Kubernetes conformance suite. By default each suite starts its own
 * emulator; with KUBE_CONFORMANCE=real the same tests run against the cluster KUBECONFIG points
 * at (CNPG 1.30 installed), inside a throwaway namespace.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { type KubeEmulator, type KubeEmulatorOptions, startKubeEmulator } from '../../src/kube/index.js';

export const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
export const realCluster = process.env.KUBE_CONFORMANCE === 'real';

export interface Target {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
  namespace: string;
  emulator: KubeEmulator | undefined;
  /** Lets controllers finish (emulator) — a no-op against a real cluster, where `eventually` polls. */
  settle(): Promise<void>;
  /** Retries `check` until it returns a value (not undefined) or the timeout passes. */
  eventually<T>(check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function openTarget(options: KubeEmulatorOptions = {}): Promise<Target> {
  // Conformance tests check the API's semantics, so no background write races theirs.
  const emulator = realCluster
    ? undefined
    : await startKubeEmulator({ stepDelayMs: 0, conflictRate: 0, ...options });
  const kc = new k8s.KubeConfig();
  if (emulator) kc.loadFromFile(emulator.kubeconfigPath);
  else kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespace = `conf-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const settle = async () => {
    await emulator?.settle();
  };
  return {
    kc,
    core,
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    namespace,
    emulator,
    settle,
    async eventually<T>(
      check: () => Promise<T | undefined>,
      timeoutMs = realCluster ? 300_000 : 5_000,
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await settle();
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error('condition not reached in time');
        await new Promise((r) => setTimeout(r, realCluster ? 1000 : 5));
      }
    },
    async close() {
      if (emulator) await emulator.close();
      else await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}

export interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason: string; message: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

/** Awaits a call that must fail with an HTTP error and returns the parsed metav1.Status. */
export async function expectStatus(call: Promise<unknown>, code: number): Promise<StatusBody> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    assert.equal(e.code, code, `expected HTTP ${code}, got ${e.code}: ${String(e.body)}`);
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as StatusBody) : (e.body as StatusBody);
    assert.equal(body.kind, 'Status');
    assert.equal(body.apiVersion, 'v1');
    assert.equal(body.status, 'Failure');
    assert.equal(body.code, code);
    return body;
  }
  assert.fail(`expected HTTP ${code}, but the call succeeded`);
}

export const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
export const strategicPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
export const applyPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

/** Shorthand for CNPG custom-object calls. */
export function cnpg(t: Target, plural: string) {
  const base = { ...CNPG, namespace: t.namespace, plural };
  type Obj = Record<string, unknown> & {
    metadata: k8s.V1ObjectMeta;
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
  };
  return {
    create: (body: object, extra: { dryRun?: string; fieldValidation?: string } = {}) =>
      t.custom.createNamespacedCustomObject({ ...base, body, ...extra }) as Promise<Obj>,
    get: (name: string) => t.custom.getNamespacedCustomObject({ ...base, name }) as Promise<Obj>,
    getStatus: (name: string) => t.custom.getNamespacedCustomObjectStatus({ ...base, name }) as Promise<Obj>,
    list: (
      opts: { labelSelector?: string; fieldSelector?: string; limit?: number; _continue?: string } = {},
    ) =>
      t.custom.listNamespacedCustomObject({ ...base, ...opts }) as Promise<{
        items: Obj[];
        metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
        kind: string;
        apiVersion: string;
      }>,
    replace: (name: string, body: object) =>
      t.custom.replaceNamespacedCustomObject({ ...base, name, body }) as Promise<Obj>,
    replaceStatus: (name: string, body: object) =>
      t.custom.replaceNamespacedCustomObjectStatus({ ...base, name, body }) as Promise<Obj>,
    merge: (name: string, body: object, extra: { dryRun?: string } = {}) =>
      t.custom.patchNamespacedCustomObject({ ...base, name, body, ...extra }, mergePatch) as Promise<Obj>,
    mergeStatus: (name: string, body: object) =>
      t.custom.patchNamespacedCustomObjectStatus({ ...base, name, body }, mergePatch) as Promise<Obj>,
    jsonPatch: (name: string, body: object[]) =>
      t.custom.patchNamespacedCustomObject({ ...base, name, body }) as Promise<Obj>,
    apply: (name: string, body: object, fieldManager: string, force?: boolean) =>
      t.custom.patchNamespacedCustomObject(
        { ...base, name, body, fieldManager, ...(force !== undefined ? { force } : {}) },
        applyPatch,
      ) as Promise<Obj>,
    delete: (name: string, extra: { dryRun?: string; propagationPolicy?: string } = {}) =>
      t.custom.deleteNamespacedCustomObject({ ...base, name, ...extra }) as Promise<Record<string, unknown>>,
  };
}

export function clusterManifest(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name },
    spec: { instances: 1, storage: { size: '1Gi' }, ...spec },
  };
}
