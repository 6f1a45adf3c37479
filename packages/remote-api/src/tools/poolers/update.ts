import { poolerUpdate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Access, requirePoolerSettingsAllowed } from '../../policy.js';
import { mutation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { clusterOfPooler, namedPooler, readyPoolerPods, summarizePooler } from './model.js';

type Args = z.output<typeof poolerUpdate.inputSchema>;

/**
 * Pure: the merge patch of spec.pgbouncer, or a refusal: nothing to change, or PgBouncer settings
 * the policy keeps for admins (only what the call sets is judged; removing a parameter is always
 * allowed). pg_hba replaces the list; an empty one removes it.
 */
export function planPoolerUpdate(args: Args, caller: { access: Access }, namespace: string) {
  const pgbouncer: Record<string, unknown> = {
    ...(args.pool_mode ? { poolMode: args.pool_mode } : {}),
    ...(args.parameters && Object.keys(args.parameters).length ? { parameters: args.parameters } : {}),
    ...(args.pg_hba ? { pg_hba: args.pg_hba.length ? args.pg_hba : null } : {}),
    ...(args.paused !== undefined ? { paused: args.paused } : {}),
  };
  const changed = Object.keys(pgbouncer);
  if (changed.length === 0)
    throw new ToolFailure('invalid_input', '(arguments): give pool_mode, parameters, pg_hba or paused');
  requirePoolerSettingsAllowed(caller.access, {
    ...(args.parameters ? { parameters: args.parameters } : {}),
    ...(args.pg_hba ? { pg_hba: args.pg_hba } : {}),
  });
  return {
    patch: { spec: { pgbouncer } },
    message: `pooler ${namespace}/${args.name} updated: ${changed.join(', ')}`,
  };
}

export const poolerUpdateTool = defineTool({
  definition: poolerUpdate,
  references: {
    pooler: namedPooler('change', 'the pooler to change'),
    cluster: clusterOfPooler(),
  },
  async run(args, ctx) {
    const { patch, message } = planPoolerUpdate(args, ctx, ctx.namespace);
    const patched = await ctx.write.patch<KubeObject>('Pooler', args.name, patch);
    const ready = await readyPoolerPods(ctx.kube, ctx.namespace, args.name);
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'updated', args.dry_run, message, patched),
        pooler: summarizePooler(patched, ready.get(args.name) ?? 0),
      },
      text: say(args.dry_run, message),
    };
  },
});
