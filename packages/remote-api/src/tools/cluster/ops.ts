import { OWNER_LABEL } from '../../identity.js';
import { CNPG } from '../../kube/client.js';
import { KubeError, translateKubeError } from '../../kube/errors.js';
import { ToolFailure } from '../context.js';
import type { KubeReads } from '../framework/kube-reads.js';
import { CLUSTERS, type ClusterObject, formatAge, HIBERNATION_ANNOTATION } from './model.js';

export async function getCluster(
  ctx: { kube: KubeReads },
  namespace: string,
  name: string,
): Promise<ClusterObject> {
  try {
    return (await ctx.kube.custom.getNamespacedCustomObject(
      { ...CNPG, namespace, plural: CLUSTERS, name },
      ctx.kube.options,
    )) as ClusterObject;
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') {
      throw new ToolFailure(
        'not_found',
        `cluster "${name}" not found in namespace "${namespace}"; cluster_list shows what exists`,
      );
    }
    throw translated ?? error;
  }
}

export function requireConfirmation(confirm: string | undefined, expected: string, what: string): void {
  if (confirm !== expected) {
    throw new ToolFailure(
      'confirmation_required',
      `confirmation required: set confirm to the ${what} "${expected}" (${confirm === undefined ? 'not given' : `got "${confirm}"`})`,
    );
  }
}

export function withoutManagedFields<T extends { metadata?: { managedFields?: unknown } }>(object: T): T {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata } as T;
}

export function summarize(cluster: ClusterObject) {
  const status = cluster.status ?? {};
  return {
    namespace: cluster.metadata.namespace ?? '',
    name: cluster.metadata.name,
    phase: status.phase ?? '',
    instances: cluster.spec?.instances ?? 0,
    readyInstances: status.readyInstances ?? 0,
    primary: status.currentPrimary ?? '',
    image: status.image ?? cluster.spec?.imageName ?? '',
    createdAt: cluster.metadata.creationTimestamp ?? '',
    age: formatAge(cluster.metadata.creationTimestamp),
    owner: cluster.metadata.labels?.[OWNER_LABEL] ?? '',
    hibernated: cluster.metadata.annotations?.[HIBERNATION_ANNOTATION] === 'on',
  };
}

/** The usual result of a mutating tool. */
export function mutation(
  namespace: string,
  name: string,
  action: string,
  dryRun: boolean,
  message: string,
  object?: { metadata?: { managedFields?: unknown } },
) {
  return {
    namespace,
    name,
    action,
    dryRun,
    message: dryRun ? `Dry run (nothing written): ${message}` : message,
    ...(object ? { object: withoutManagedFields(object) as Record<string, unknown> } : {}),
  };
}

export { KubeError };
