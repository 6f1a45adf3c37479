import { clusterHibernate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { type ClusterObject, HIBERNATION_ANNOTATION, namedCluster } from './model.js';
import { mutation, requireConfirmation } from './ops.js';

type Args = z.output<typeof clusterHibernate.inputSchema>;

/** Hibernation, once `confirm` repeats the cluster name: the operator stops the instances and keeps the volumes. */
export function planHibernate(args: Args, namespace: string) {
  requireConfirmation(args.confirm, args.name, 'cluster name');
  return {
    patch: { metadata: { annotations: { [HIBERNATION_ANNOTATION]: 'on' } } },
    message: `cluster ${namespace}/${args.name} hibernating: instances stop, volumes are kept`,
  };
}

export const clusterHibernateTool = defineTool({
  definition: clusterHibernate,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const plan = planHibernate(args, ctx.namespace);
    const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.patch);
    return {
      structured: mutation(ctx.namespace, args.name, 'hibernated', args.dry_run, plan.message, patched),
      text: say(args.dry_run, plan.message),
    };
  },
});
