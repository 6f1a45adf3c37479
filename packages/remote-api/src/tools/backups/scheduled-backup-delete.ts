import { scheduledBackupDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation, requireConfirmation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import { changedSchedule } from './model.js';

type Args = z.output<typeof scheduledBackupDelete.inputSchema>;

/** The deletion, once `confirm` repeats the schedule's name. */
export function planScheduledBackupDelete(args: Args, namespace: string): { message: string } {
  requireConfirmation(args.confirm, args.name, 'scheduled backup name');
  return {
    message: `scheduled backup ${namespace}/${args.name} deleted; existing backups are kept unless they were owned by it`,
  };
}

export const scheduledBackupDeleteTool = defineTool({
  definition: scheduledBackupDelete,
  references: { schedule: changedSchedule<Args>('the scheduled backup to delete') },
  async run(args, ctx) {
    const { message } = planScheduledBackupDelete(args, ctx.namespace);
    const deleted = await ctx.write.delete('ScheduledBackup', args.name);
    return {
      structured: mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, deleted),
      text: say(args.dry_run, message),
    };
  },
});
