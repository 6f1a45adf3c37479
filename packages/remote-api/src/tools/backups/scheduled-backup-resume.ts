import { scheduledBackupResume } from '@cnpg-mcp/catalog';
import { defineTool } from '../context.js';
import { changedSchedule } from './model.js';
import { setSuspended } from './schedule-suspension.js';

export const scheduledBackupResumeTool = defineTool({
  definition: scheduledBackupResume,
  references: { schedule: changedSchedule('the scheduled backup to resume') },
  run: (args, ctx) => setSuspended(args, ctx, false),
});
