import { poolerScale } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { seenObject } from '../backups/model.js';
import { mutation } from '../cluster/ops.js';
import { num, say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { clusterOfPooler, namedPooler } from './model.js';

type Args = z.output<typeof poolerScale.inputSchema>;

/** Pure: the merge patch of spec.instances, and the size it had. */
export function planPoolerScale(args: Args, pooler: KubeObject, namespace: string) {
  const previous = num(pooler.spec?.instances, 1);
  return {
    previous,
    patch: { spec: { instances: args.instances } },
    message: `pooler ${namespace}/${args.name} scaled from ${previous} to ${args.instances} instance(s)`,
  };
}

export const poolerScaleTool = defineTool({
  definition: poolerScale,
  references: {
    pooler: namedPooler('change', 'the pooler to scale'),
    cluster: clusterOfPooler(),
  },
  async run(args, ctx) {
    const { previous, patch, message } = planPoolerScale(args, seenObject(ctx.seen, 'pooler'), ctx.namespace);
    const patched = await ctx.write.patch<KubeObject>('Pooler', args.name, patch);
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'scaled', args.dry_run, message, patched),
        previousInstances: previous,
        instances: args.instances,
      },
      text: say(args.dry_run, message),
    };
  },
});
