import { clusterScale } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { Access } from '../../policy.js';
import { defineTool } from '../context.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { mutation } from './ops.js';
import { parameterContext, parametersAfter, requireParametersValid } from './parameters.js';
import { requireInstanceQuota, requireStorageQuota } from './quota.js';

type Args = z.output<typeof clusterScale.inputSchema>;

/**
 * Pure: the patch that sets the instance count, within the per-cluster quotas, unless the
 * cluster's parameters do not allow that many instances (wal_level=minimal, wal_log_hints=off).
 */
export function planClusterScale(args: Args, cluster: ClusterObject, access: Access) {
  requireInstanceQuota(access, args.instances);
  requireParametersValid(parametersAfter(cluster), parameterContext(cluster, args.instances));
  requireStorageQuota(
    access,
    args.instances,
    cluster.spec?.storage?.size ?? '0',
    cluster.spec?.walStorage?.size,
  );
  return { previous: cluster.spec?.instances ?? 0, patch: { spec: { instances: args.instances } } };
}

export const clusterScaleTool = defineTool({
  definition: clusterScale,
  references: { cluster: namedCluster<Args>('change') },
  needsConfirmation: (args, ctx) => args.instances < (seenCluster(ctx.seen).spec?.instances ?? 0),
  async run(args, ctx) {
    const plan = planClusterScale(args, seenCluster(ctx.seen), ctx.access);
    const patched = await ctx.write.patch('Cluster', args.name, plan.patch);
    const message = `cluster ${ctx.namespace}/${args.name} scaled from ${plan.previous} to ${args.instances} instance(s)`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'scaled', args.dry_run, message, patched),
        previousInstances: plan.previous,
        instances: args.instances,
      },
      text: args.dry_run ? `Dry run: ${message}` : message,
    };
  },
});
