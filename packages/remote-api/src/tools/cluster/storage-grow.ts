import { clusterStorageGrow, parseQuantity } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { Access } from '../../policy.js';
import { defineTool, ToolFailure } from '../context.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { mutation } from './ops.js';
import { requireStorageQuota } from './quota.js';

type Args = z.output<typeof clusterStorageGrow.inputSchema>;

/** Pure: the patch that grows the volumes in place; shrinking is cluster_storage_shrink's job. */
export function planStorageGrow(args: Args, cluster: ClusterObject, access: Access) {
  const previous = cluster.spec?.storage?.size ?? '';
  if ((parseQuantity(args.storage_size) ?? 0) < (parseQuantity(previous) ?? 0)) {
    throw new ToolFailure(
      'invalid_input',
      `storage_size: ${args.storage_size} is smaller than the current ${previous}; volumes can only grow in place`,
    );
  }
  const previousWal = cluster.spec?.walStorage?.size;
  if (
    args.wal_storage_size &&
    previousWal &&
    (parseQuantity(args.wal_storage_size) ?? 0) < (parseQuantity(previousWal) ?? 0)
  ) {
    throw new ToolFailure(
      'invalid_input',
      `wal_storage_size: ${args.wal_storage_size} is smaller than the current ${previousWal}`,
    );
  }
  requireStorageQuota(
    access,
    cluster.spec?.instances ?? 1,
    args.storage_size,
    args.wal_storage_size ?? previousWal,
  );
  const spec: Record<string, unknown> = { storage: { size: args.storage_size } };
  if (args.wal_storage_size) spec.walStorage = { size: args.wal_storage_size };
  return { previous, patch: { spec } };
}

export const clusterStorageGrowTool = defineTool({
  definition: clusterStorageGrow,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const plan = planStorageGrow(args, seenCluster(ctx.seen), ctx.access);
    const patched = await ctx.write.patch('Cluster', args.name, plan.patch);
    const message = `storage of ${ctx.namespace}/${args.name} set from ${plan.previous} to ${args.storage_size}${args.wal_storage_size ? `, WAL ${args.wal_storage_size}` : ''}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'resized', args.dry_run, message, patched),
        previousSize: plan.previous,
        size: args.storage_size,
      },
      text: args.dry_run
        ? `Dry run: ${message}`
        : `${message}; the operator resizes each volume (see cluster_status).`,
    };
  },
});
