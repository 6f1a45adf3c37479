import { scheduledBackupSuspend } from '@cnpg-mcp/catalog';
import { defineTool } from '../context.js';
import { changedSchedule } from './model.js';
import { setSuspended } from './schedule-suspension.js';

export const scheduledBackupSuspendTool = defineTool({
  definition: scheduledBackupSuspend,
  references: { schedule: changedSchedule('the scheduled backup to suspend') },
  run: (args, ctx) => setSuspended(args, ctx, true),
});
