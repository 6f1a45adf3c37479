import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change } from '../shared.js';
import { scheduledBackupSummary, scheduleTarget } from './shared.js';

export const scheduledBackupResume = {
  name: 'scheduled_backup_resume',
  group: 'backups',
  title: 'Resume scheduled backups',
  description: 'Resumes a suspended ScheduledBackup.',
  inputSchema: scheduleTarget,
  outputSchema: mutationOutput.extend({ scheduledBackup: scheduledBackupSummary }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
