import { backupDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation, requireConfirmation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { BACKUP_HINT } from './model.js';

type Args = z.output<typeof backupDelete.inputSchema>;

/** The deletion, once `confirm` repeats the backup's name. */
export function planBackupDelete(args: Args, namespace: string): { message: string } {
  requireConfirmation(args.confirm, args.name, 'backup name');
  return {
    message: `backup ${namespace}/${args.name} deleted (object-store data follows its retention policy)`,
  };
}

export const backupDeleteTool = defineTool({
  definition: backupDelete,
  references: {
    backup: {
      kind: 'Backup',
      intent: 'change',
      role: 'the backup to delete',
      name: (args) => args.name,
      hint: BACKUP_HINT,
    },
  },
  async run(args, ctx) {
    const { message } = planBackupDelete(args, ctx.namespace);
    const deleted = await ctx.write.delete('Backup', args.name);
    return {
      structured: mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, deleted),
      text: say(args.dry_run, message),
    };
  },
});
