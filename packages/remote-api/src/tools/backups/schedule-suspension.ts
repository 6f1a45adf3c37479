import type { scheduledBackupSuspend } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import type { ToolContext, ToolOutcome } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { summarizeScheduledBackup } from './model.js';

/** Suspend and resume take the same input. */
type Args = z.output<typeof scheduledBackupSuspend.inputSchema>;

/** The merge patch that suspends or resumes a ScheduledBackup, and how to say it. */
export function planSuspension(suspend: boolean, namespace: string, name: string) {
  const action = suspend ? 'suspended' : 'resumed';
  return { patch: { spec: { suspend } }, action, message: `scheduled backup ${namespace}/${name} ${action}` };
}

/** scheduled_backup_suspend and scheduled_backup_resume: one patch of spec.suspend. */
export async function setSuspended(args: Args, ctx: ToolContext, suspend: boolean): Promise<ToolOutcome> {
  const { patch, action, message } = planSuspension(suspend, ctx.namespace, args.name);
  const patched = await ctx.write.patch<KubeObject>('ScheduledBackup', args.name, patch);
  return {
    structured: {
      ...mutation(ctx.namespace, args.name, action, args.dry_run, message, patched),
      scheduledBackup: summarizeScheduledBackup(patched),
    },
    text: say(args.dry_run, message),
  };
}
