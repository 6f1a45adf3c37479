import { OWNER_LABEL } from '../../identity.js';
import { translateKubeError } from '../../kube/errors.js';
import { isReady } from '../cluster/instances.js';
import { type CnpgObject, clusterOf, num, str } from '../common/objects.js';
import type { KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Observed, ReferenceSpec } from '../framework/references.js';

export const POOLER_HINT = 'pooler_list shows what exists';

/**
 * A pooler as the tools show it. `readyPods`: its PgBouncer pods that are Ready (readyPoolerPods).
 * CloudNativePG's status.instances is the Deployment's replica count (pods created, ready or not:
 * internal/controller/pooler_status.go), so it cannot say whether the pooler serves yet.
 */
export function summarizePooler(object: CnpgObject, readyPods: number) {
  const spec = object.spec ?? {};
  const pgbouncer = (spec.pgbouncer ?? {}) as {
    poolMode?: string;
    paused?: boolean;
    parameters?: Record<string, string>;
  };
  const status = object.status ?? {};
  return {
    name: object.metadata.name,
    cluster: clusterOf(object),
    type: str(spec.type) || 'rw',
    instances: num(spec.instances, 1),
    readyInstances: readyPods,
    poolMode: pgbouncer.poolMode ?? 'session',
    paused: pgbouncer.paused === true,
    phase: str(status.phase),
    service: object.metadata.name,
    parameters: pgbouncer.parameters ?? {},
    owner: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

export type PoolerSummary = ReturnType<typeof summarizePooler>;

export const POOLER_NAME_LABEL = 'cnpg.io/poolerName';

/**
 * How many Ready PgBouncer pods each pooler has (by name), from one list of the namespace's pooler
 * pods, or of one pooler's (`name`). A pod being deleted no longer counts.
 */
export async function readyPoolerPods(
  kube: KubeReads,
  namespace: string,
  name?: string,
): Promise<Map<string, number>> {
  const labelSelector = name ? `${POOLER_NAME_LABEL}=${name}` : 'cnpg.io/podRole=pooler';
  let pods: KubeObject[];
  try {
    pods = ((await kube.core.listNamespacedPod({ namespace, labelSelector }, kube.options)).items ??
      []) as KubeObject[];
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
  const ready = new Map<string, number>();
  for (const pod of pods) {
    const pooler = pod.metadata.labels?.[POOLER_NAME_LABEL];
    if (!pooler || pod.metadata.deletionTimestamp || !isReady(pod)) continue;
    ready.set(pooler, (ready.get(pooler) ?? 0) + 1);
  }
  return ready;
}

/** One line about a pooler, for lists and get. */
export const describePooler = (p: PoolerSummary): string =>
  `${p.name}  → ${p.cluster} (${p.type})  ${p.readyInstances}/${p.instances} pods  ${p.poolMode}${p.paused ? '  PAUSED' : ''}${p.phase ? `  ${p.phase}` : ''}`;

/** The Pooler the call reads (`read`) or patches or deletes (`change`): the `name` argument. */
export function namedPooler<Args extends { name: string }>(
  intent: 'read' | 'change',
  role: string,
): ReferenceSpec<Args> {
  return { kind: 'Pooler', intent, role, name: (args) => args.name, hint: POOLER_HINT };
}

/**
 * The Cluster a changed pooler stands in front of, used (owned by the caller): a pooler's
 * settings and size decide how that cluster's clients get in. Optional, since a pooler made
 * before owner references may outlive its cluster and must stay manageable by its owner.
 */
export function clusterOfPooler<Args>(): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent: 'use',
    optional: true,
    role: 'the cluster the pooler serves',
    name: (_args, seen: Observed) => {
      const pooler: KubeObject | undefined = seen.pooler;
      return pooler ? clusterOf(pooler) || undefined : undefined;
    },
  };
}
