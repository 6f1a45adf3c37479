import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive, objectNameField } from '../shared.js';

export const backupDelete = {
  name: 'backup_delete',
  group: 'backups',
  title: 'Delete a backup',
  description:
    'Deletes a Backup object (object-store data expires by retention policy, snapshots by their class).',
  details:
    'Deletes a Backup object. Object-store data is kept and expires through the retention policy; snapshots follow their VolumeSnapshotClass deletion policy. `confirm` must equal the backup name.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    confirm: confirmField('backup name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete backup {name} (namespace {namespace|your default})? It can no longer be restored from here.',
  },
} satisfies ToolDefinition;
