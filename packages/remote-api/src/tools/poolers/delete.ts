import { poolerDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation, requireConfirmation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { namedPooler } from './model.js';

type Args = z.output<typeof poolerDelete.inputSchema>;

/** The deletion, once `confirm` repeats the pooler's name. */
export function planPoolerDelete(args: Args, namespace: string): { message: string } {
  requireConfirmation(args.confirm, args.name, 'pooler name');
  return { message: `pooler ${namespace}/${args.name} deleted with its pods and service` };
}

/**
 * Only the Pooler is declared: deleting one's own pooler needs nothing of its cluster (a pooler
 * made before owner references may have outlived it).
 */
export const poolerDeleteTool = defineTool({
  definition: poolerDelete,
  references: { pooler: namedPooler('change', 'the pooler to delete') },
  async run(args, ctx) {
    const { message } = planPoolerDelete(args, ctx.namespace);
    const deleted = await ctx.write.delete('Pooler', args.name);
    return {
      structured: mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, deleted),
      text: say(args.dry_run, message),
    };
  },
});
