import type { publicationDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation, requireConfirmation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { type ToolContext, ToolFailure, type ToolOutcome } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { type LogicalKind, nounOf, reclaimFieldOf } from './model.js';

/** publication_delete and subscription_delete take the same input. */
type Args = z.output<typeof publicationDelete.inputSchema>;

/**
 * Pure: what deleting the object that declares `args.name` on the cluster takes: a merge patch of
 * its reclaim policy first when `drop` asks PostgreSQL to drop it too (and the policy is not
 * already delete), then the deletion; or a refusal (no confirmation, nothing declares that name).
 */
export function planLogicalDelete(
  kind: LogicalKind,
  args: Args,
  declaring: KubeObject | undefined,
  namespace: string,
) {
  const noun = nounOf(kind);
  requireConfirmation(args.confirm, args.name, `${noun} name`);
  if (!declaring) {
    throw new ToolFailure(
      'not_found',
      `${noun} "${args.name}" is not declared on ${namespace}/${args.cluster}; ${noun}_list shows what exists`,
    );
  }
  const reclaim = reclaimFieldOf(kind);
  const objectName = declaring.metadata.name;
  return {
    objectName,
    reclaimPatch:
      args.drop && declaring.spec?.[reclaim] !== 'delete' ? { spec: { [reclaim]: 'delete' } } : undefined,
    message: `${noun} ${args.name} on ${namespace}/${args.cluster} deleted (${objectName})${args.drop ? ' and dropped in PostgreSQL' : '; kept in PostgreSQL'}`,
  };
}

/** Deletes the declared object (reference `object`), dropping it in PostgreSQL first when asked. */
export async function deleteLogical(kind: LogicalKind, args: Args, ctx: ToolContext): Promise<ToolOutcome> {
  const { objectName, reclaimPatch, message } = planLogicalDelete(kind, args, ctx.seen.object, ctx.namespace);
  if (reclaimPatch) await ctx.write.patch(kind, objectName, reclaimPatch);
  const deleted = await ctx.write.delete(kind, objectName);
  return {
    structured: {
      ...mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, deleted),
      cluster: args.cluster,
      objectName,
    },
    text: say(args.dry_run, message),
  };
}
