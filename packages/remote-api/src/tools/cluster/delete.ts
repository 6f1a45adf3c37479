import { clusterDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { defineTool } from '../context.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { clusterNamedBy, describeListed, type Listed, listNamingObjects } from './name-claims.js';
import { mutation, requireConfirmation } from './ops.js';

type Args = z.output<typeof clusterDelete.inputSchema>;

/**
 * Pure: what goes with the cluster and what stays. Objects made for a cluster through cnpg-mcp
 * carry an owner reference to it (the framework's writer adds it), so Kubernetes' garbage
 * collector removes them with the cluster, whoever deletes it and however; objects that name the
 * cluster without one (made outside cnpg-mcp, or before) stay, and the result says so.
 */
export function planClusterDelete(args: Args, cluster: ClusterObject, neighbours: readonly Listed[]) {
  requireConfirmation(args.confirm, args.name, 'cluster name');
  const uid = cluster.metadata.uid;
  const naming = neighbours.filter((listed) => clusterNamedBy(listed.object) === args.name);
  const owned = (listed: Listed) =>
    uid !== undefined && (listed.object.metadata.ownerReferences ?? []).some((ref) => ref.uid === uid);
  const dependents = naming.filter(owned);
  return {
    rolesWithSecrets:
      dependents.some((listed) => listed.kind === 'DatabaseRole') ||
      (cluster.spec?.managed as { roles?: unknown[] } | undefined)?.roles?.length !== undefined,
    dependents: dependents.map(describeListed).sort(),
    leftBehind: naming
      .filter((listed) => !owned(listed))
      .map(describeListed)
      .sort(),
  };
}

export const clusterDeleteTool = defineTool({
  definition: clusterDelete,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const cluster = seenCluster(ctx.seen);
    const plan = planClusterDelete(args, cluster, await listNamingObjects(ctx.kube, ctx.namespace));
    const deleted = await ctx.write.delete('Cluster', args.name);
    const message = [
      `cluster ${ctx.namespace}/${args.name} deleted with its instances, volumes, services and operator secrets`,
      plan.dependents.length ? `; Kubernetes removes with it: ${plan.dependents.join(', ')}` : '',
      plan.rolesWithSecrets ? ' and the password Secrets cnpg-mcp made for its roles' : '',
      plan.leftBehind.length
        ? `; left in place (not owned by the cluster): ${plan.leftBehind.join(', ')}`
        : '',
    ].join('');
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, deleted),
        dependents: plan.dependents,
        leftBehind: plan.leftBehind,
      },
      text: args.dry_run ? `Dry run: ${message}` : message,
    };
  },
});
