import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { objectNameField, readOnly } from '../shared.js';
import { backupSummary } from './shared.js';

export const backupGet = {
  name: 'backup_get',
  group: 'backups',
  title: 'Get a backup',
  description:
    'One backup: phase, method, times, WAL and LSN range, destination, error; detail "detailed" adds its status.',
  details:
    'One backup with its phase, method, times, WAL and LSN range, destination and error; `detail: "detailed"` adds the raw status.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    detail: z.enum(['concise', 'detailed']).default('concise'),
  }),
  outputSchema: z.object({
    backup: backupSummary,
    destinationPath: z.string(),
    beginWal: z.string(),
    endWal: z.string(),
    status: z.record(z.string(), z.unknown()).optional(),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
