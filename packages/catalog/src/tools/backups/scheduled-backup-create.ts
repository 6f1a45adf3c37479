import { z } from 'zod';
import { dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterRefField, objectNameField } from '../shared.js';
import {
  backupMethodField,
  backupTargetField,
  cronScheduleField,
  onlineFields,
  pluginNameField,
  pluginParametersField,
  scheduledBackupSummary,
} from './shared.js';

export const scheduledBackupCreate = {
  name: 'scheduled_backup_create',
  group: 'backups',
  title: 'Schedule backups',
  description:
    'Schedules backups of a cluster (six-field cron, seconds first), optionally taking one at once.',
  details:
    'Creates a ScheduledBackup for a cluster with a six-field cron schedule (seconds first, validated here), optionally taking the first backup at once.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField,
    name: objectNameField,
    schedule: cronScheduleField,
    method: backupMethodField.optional(),
    plugin_name: pluginNameField.optional(),
    plugin_parameters: pluginParametersField.optional(),
    target: backupTargetField.optional(),
    ...onlineFields,
    immediate: z.boolean().default(false).describe('Take a backup at once.'),
    suspend: z.boolean().default(false),
    backup_owner_reference: z
      .enum(['none', 'self', 'cluster'])
      .default('none')
      .describe('What its Backups are deleted with.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ scheduledBackup: scheduledBackupSummary }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
