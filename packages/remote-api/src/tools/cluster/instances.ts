/**
 * The instances of a cluster as the operation tools address them: `<cluster>-<serial>`, each with
 * a Pod and volumes labelled `cnpg.io/cluster` and `cnpg.io/instanceName` by the operator (and with
 * the owner label, which CloudNativePG copies from the Cluster's spec.inheritedMetadata).
 */
import { translateKubeError } from '../../kube/errors.js';
import { ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Intent, ReferenceSpec } from '../framework/references.js';
import type { ClusterObject } from './model.js';

export const CLUSTER_LABEL = 'cnpg.io/cluster';
export const INSTANCE_LABEL = 'cnpg.io/instanceName';

/** True when `instance` is named like an instance of cluster `cluster`. */
export function isInstanceName(cluster: string, instance: string): boolean {
  return instance.startsWith(`${cluster}-`) && /^[0-9]+$/.test(instance.slice(cluster.length + 1));
}

/** True when the operator labelled `object` (a Pod or volume) as part of `instance` of `cluster`. */
export function belongsToInstance(object: KubeObject, cluster: string, instance: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[CLUSTER_LABEL] === cluster && (labels[INSTANCE_LABEL] ?? object.metadata.name) === instance;
}

/**
 * The instance Pod a call names through `instance`, declared with `intent`. Only a name shaped
 * like an instance of the call's cluster is read; any other name is left to the plan, which
 * refuses it (so no Pod outside the cluster is ever read or touched).
 */
export function instancePodReference<Args extends { name: string }>(
  intent: Extract<Intent, 'change' | 'use'>,
  role: string,
  instance: (args: Args, cluster: ClusterObject | undefined) => string | undefined,
): ReferenceSpec<Args> {
  return {
    kind: 'Pod',
    intent,
    role,
    optional: true,
    name: (args, seen) => {
      const name = instance(args, seen.cluster as ClusterObject | undefined);
      return name !== undefined && isInstanceName(args.name, name) ? name : undefined;
    },
  };
}

/**
 * Checks that `instance` is an instance of `cluster`, given its Pod as read (undefined when there
 * is none: an instance between pods still counts when the cluster lists it).
 */
export function requireInstance(cluster: ClusterObject, instance: string, pod: KubeObject | undefined): void {
  const name = cluster.metadata.name;
  if (!isInstanceName(name, instance)) {
    throw new ToolFailure(
      'invalid_input',
      `instance: "${instance}" is not an instance of cluster ${name} (expected ${name}-N)`,
    );
  }
  if (pod && !belongsToInstance(pod, name, instance)) {
    throw new ToolFailure(
      'precondition',
      `pod ${instance} is not labelled as an instance of cluster ${name} (${CLUSTER_LABEL}=${pod.metadata.labels?.[CLUSTER_LABEL] ?? 'none'})`,
    );
  }
  if (!pod && !(cluster.status?.instanceNames ?? []).includes(instance)) {
    throw new ToolFailure(
      'not_found',
      `instance "${instance}" not found in cluster ${cluster.metadata.namespace ?? ''}/${name}`,
    );
  }
}

export function isReady(pod: KubeObject | undefined): boolean {
  const conditions = (pod?.status?.conditions ?? []) as { type?: string; status?: string }[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Reads a Pod through the read-only clients; undefined when it does not exist. */
export async function readPod(
  kube: KubeReads,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return (await kube.core.readNamespacedPod({ namespace, name }, kube.options)) as KubeObject;
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') return undefined;
    throw translated ?? error;
  }
}
