import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { objectNameField, readOnly } from '../shared.js';
import { backupSummary, waitTimeoutField } from './shared.js';

export const backupWait = {
  name: 'backup_wait',
  group: 'backups',
  title: 'Wait for a backup',
  description: 'Waits until a backup completes or fails, reporting each phase as progress.',
  details:
    'Waits until a backup completes or fails, sending progress notifications at each phase change; honours cancellation.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    timeout_seconds: waitTimeoutField,
  }),
  outputSchema: z.object({
    backup: backupSummary,
    outcome: z.enum(['completed', 'failed', 'timeout', 'cancelled']),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
