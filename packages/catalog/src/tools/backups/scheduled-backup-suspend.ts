import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change } from '../shared.js';
import { scheduledBackupSummary, scheduleTarget } from './shared.js';

export const scheduledBackupSuspend = {
  name: 'scheduled_backup_suspend',
  group: 'backups',
  title: 'Suspend scheduled backups',
  description: 'Suspends a ScheduledBackup until scheduled_backup_resume.',
  inputSchema: scheduleTarget,
  outputSchema: mutationOutput.extend({ scheduledBackup: scheduledBackupSummary }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
