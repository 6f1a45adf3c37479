import { databaseDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation, requireConfirmation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { databaseCluster, databaseNotDeclared, declaredDatabase } from './model.js';

type Args = z.output<typeof databaseDelete.inputSchema>;

/**
 * Pure: once `confirm` repeats the database name, the Database object to delete, whether its
 * reclaim policy is set to delete first (`drop`), and whether PostgreSQL drops the database.
 */
export function planDatabaseDelete(args: Args, database: KubeObject | undefined, namespace: string) {
  requireConfirmation(args.confirm, args.name, 'database name');
  if (!database) throw databaseNotDeclared(args.name, namespace, args.cluster);
  const reclaimDelete = database.spec?.databaseReclaimPolicy === 'delete';
  return {
    objectName: database.metadata.name,
    setReclaimDelete: args.drop && !reclaimDelete,
    dropped: args.drop || reclaimDelete,
  };
}

export const databaseDeleteTool = defineTool({
  definition: databaseDelete,
  references: { cluster: databaseCluster<Args>('use'), database: declaredDatabase<Args>('change') },
  async run(args, ctx) {
    const { objectName, setReclaimDelete, dropped } = planDatabaseDelete(
      args,
      ctx.seen.database,
      ctx.namespace,
    );
    if (setReclaimDelete) {
      await ctx.write.patch('Database', objectName, { spec: { databaseReclaimPolicy: 'delete' } });
    }
    const deleted = await ctx.write.delete('Database', objectName);
    const message = `Database ${objectName} deleted; PostgreSQL database ${args.name} ${dropped ? 'is dropped' : 'is kept (unmanaged)'}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, deleted),
        cluster: args.cluster,
        objectName,
        dropped,
      },
      text: say(args.dry_run, message),
    };
  },
});
