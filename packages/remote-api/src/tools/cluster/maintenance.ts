import { clusterMaintenance } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { type ClusterObject, namedCluster } from './model.js';
import { mutation } from './ops.js';

type Args = z.output<typeof clusterMaintenance.inputSchema>;

/** The node maintenance window to set (spec.nodeMaintenanceWindow). */
export function planMaintenance(args: Args, namespace: string) {
  return {
    action: args.in_progress ? 'maintenance-started' : 'maintenance-ended',
    patch: { spec: { nodeMaintenanceWindow: { inProgress: args.in_progress, reusePVC: args.reuse_pvc } } },
    message: `maintenance window of ${namespace}/${args.name} ${args.in_progress ? `started (reusePVC=${args.reuse_pvc})` : 'ended'}`,
  };
}

export const clusterMaintenanceTool = defineTool({
  definition: clusterMaintenance,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const plan = planMaintenance(args, ctx.namespace);
    const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.patch);
    return {
      structured: mutation(ctx.namespace, args.name, plan.action, args.dry_run, plan.message, patched),
      text: say(args.dry_run, plan.message),
    };
  },
});
