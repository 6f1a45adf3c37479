import { parseQuantity } from '@cnpg-mcp/catalog';
import { OWNER_LABEL } from '../../identity.js';
import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { PolicyDenied } from '../../policy.js';
import type { LegacyToolContext } from '../context.js';
import { CLUSTERS } from './model.js';

export function checkInstanceQuota(ctx: LegacyToolContext, instances: number): void {
  const max = ctx.access.quotas.instancesPerCluster;
  if (max !== undefined && instances > max) {
    throw new PolicyDenied(
      'quota.instancesPerCluster',
      `${instances} instances exceed your quota of ${max} per cluster`,
    );
  }
}

/** Storage of a cluster counts data plus WAL volumes of every instance. */
export function checkStorageQuota(
  ctx: LegacyToolContext,
  instances: number,
  size: string,
  walSize: string | undefined,
): void {
  const max = ctx.access.quotas.storagePerCluster;
  if (max === undefined) return;
  const total = instances * ((parseQuantity(size) ?? 0) + (walSize ? (parseQuantity(walSize) ?? 0) : 0));
  if (total > (parseQuantity(max) ?? 0)) {
    throw new PolicyDenied(
      'quota.storagePerCluster',
      `${instances} × (${size}${walSize ? ` + ${walSize} WAL` : ''}) exceeds your storage quota of ${max} per cluster`,
    );
  }
}

export async function checkClusterCountQuota(ctx: LegacyToolContext): Promise<void> {
  const max = ctx.access.quotas.clustersPerUser;
  if (max === undefined) return;
  const labelSelector = `${OWNER_LABEL}=${ctx.identity.userId}`;
  try {
    const namespaces = ctx.access.namespaces.includes('*') ? [undefined] : ctx.access.namespaces;
    let count = 0;
    for (const namespace of namespaces) {
      const result = (
        namespace
          ? await ctx.kube.custom.listNamespacedCustomObject(
              { ...CNPG, namespace, plural: CLUSTERS, labelSelector },
              ctx.kube.options,
            )
          : await ctx.kube.custom.listClusterCustomObject(
              { ...CNPG, plural: CLUSTERS, labelSelector },
              ctx.kube.options,
            )
      ) as {
        items?: unknown[];
      };
      count += result.items?.length ?? 0;
    }
    if (count >= max) {
      throw new PolicyDenied(
        'quota.clustersPerUser',
        `you already have ${count} cluster(s); your quota is ${max}`,
      );
    }
  } catch (error) {
    if (error instanceof PolicyDenied) throw error;
    throw translateKubeError(error) ?? error;
  }
}
