import { clusterReload } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { type ClusterObject, namedCluster } from './model.js';
import { mutation } from './ops.js';

type Args = z.output<typeof clusterReload.inputSchema>;

/** The reload request: an annotation the operator answers by reloading every instance's configuration. */
export function planReload(args: Args, namespace: string, now: Date) {
  return {
    patch: { metadata: { annotations: { 'cnpg.io/reloadedAt': now.toISOString() } } },
    message: `configuration reload of ${namespace}/${args.name} requested`,
  };
}

export const clusterReloadTool = defineTool({
  definition: clusterReload,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const plan = planReload(args, ctx.namespace, new Date());
    const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.patch);
    return {
      structured: mutation(ctx.namespace, args.name, 'reload-requested', args.dry_run, plan.message, patched),
      text: say(args.dry_run, plan.message),
    };
  },
});
