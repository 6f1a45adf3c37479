import { clusterResume } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { type ClusterObject, HIBERNATION_ANNOTATION, namedCluster } from './model.js';
import { mutation } from './ops.js';

type Args = z.output<typeof clusterResume.inputSchema>;

/** Resuming: the hibernation annotation set to off, so the operator starts the instances on their volumes. */
export function planResume(args: Args, namespace: string) {
  return {
    patch: { metadata: { annotations: { [HIBERNATION_ANNOTATION]: 'off' } } },
    message: `cluster ${namespace}/${args.name} resuming from hibernation`,
  };
}

export const clusterResumeTool = defineTool({
  definition: clusterResume,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const plan = planResume(args, ctx.namespace);
    const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.patch);
    return {
      structured: mutation(ctx.namespace, args.name, 'resumed', args.dry_run, plan.message, patched),
      text: say(args.dry_run, plan.message),
    };
  },
});
