import { OWNER_LABEL } from '../../identity.js';
import { CNPG } from '../../kube/client.js';
import { KubeError, translateKubeError } from '../../kube/errors.js';
import { requireNamespace, requireOwnership, requireWritable } from '../../policy.js';
import { type LegacyToolContext, ToolFailure } from '../context.js';
import type { KubeReads } from '../framework/kube-reads.js';
import { CLUSTERS, type ClusterObject, formatAge, HIBERNATION_ANNOTATION } from './model.js';

export function resolveNamespace(ctx: LegacyToolContext, namespace: string | undefined): string {
  const ns = namespace ?? ctx.config.defaultNamespace;
  requireNamespace(ctx.access, ns);
  return ns;
}

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

/** The checks every mutating cluster tool runs before writing: writes allowed, namespace, existence, ownership. */
export async function clusterForChange(
  ctx: LegacyToolContext,
  args: { namespace?: string | undefined; name: string },
): Promise<{ namespace: string; cluster: ClusterObject }> {
  requireWritable(ctx.access);
  const namespace = resolveNamespace(ctx, args.namespace);
  const cluster = await getCluster(ctx, namespace, args.name);
  requireOwnership(ctx.access, ctx.identity, cluster, `cluster ${namespace}/${args.name}`);
  return { namespace, cluster };
}

export function requireConfirmation(confirm: string | undefined, expected: string, what: string): void {
  if (confirm !== expected) {
    throw new ToolFailure(
      'confirmation_required',
      `confirmation required: set confirm to the ${what} "${expected}" (${confirm === undefined ? 'not given' : `got "${confirm}"`})`,
    );
  }
}

const dryRunParam = (dryRun: boolean) => (dryRun ? { dryRun: 'All' } : {});

/** A focused JSON merge patch of the Cluster (or its status subresource). */
export async function patchCluster(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
  body: Record<string, unknown>,
  dryRun: boolean,
  subresource: 'spec' | 'status' = 'spec',
): Promise<ClusterObject> {
  const params = {
    ...CNPG,
    namespace,
    plural: CLUSTERS,
    name,
    body,
    fieldManager: 'cnpg-mcp',
    ...dryRunParam(dryRun),
  };
  try {
    const result =
      subresource === 'status'
        ? await ctx.kube.custom.patchNamespacedCustomObjectStatus(params, ctx.kube.mergePatch)
        : await ctx.kube.custom.patchNamespacedCustomObject(params, ctx.kube.mergePatch);
    return result as ClusterObject;
  } catch (error) {
    throw translateKubeError(error) ?? error;
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
