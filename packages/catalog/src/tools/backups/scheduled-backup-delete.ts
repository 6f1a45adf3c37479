import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive, objectNameField } from '../shared.js';

export const scheduledBackupDelete = {
  name: 'scheduled_backup_delete',
  group: 'backups',
  title: 'Delete a scheduled backup',
  description: 'Deletes a ScheduledBackup (Backups it owns go with it).',
  details:
    'Deletes a ScheduledBackup (backups it owns with backupOwnerReference self go with it). `confirm` must equal its name.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    confirm: confirmField('scheduled backup name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete scheduled backup {name} (namespace {namespace|your default})? No more backups are taken, and backups it owns are deleted.',
  },
} satisfies ToolDefinition;
