import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterRefField, readOnly } from '../shared.js';
import { scheduledBackupSummary } from './shared.js';

export const scheduledBackupList = {
  name: 'scheduled_backup_list',
  group: 'backups',
  title: 'List scheduled backups',
  description: 'Lists scheduled backups (optionally of one cluster): schedule, suspended, last and next run.',
  details:
    'Lists ScheduledBackups in a namespace, optionally of one cluster: schedule, suspended, last and next run.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional(),
  }),
  outputSchema: z.object({ namespace: z.string(), scheduledBackups: z.array(scheduledBackupSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
