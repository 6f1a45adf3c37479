import { z } from 'zod';
import { namespaceField, pageFields, pageOutputs } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterRefField, readOnly } from '../shared.js';
import { backupSummary } from './shared.js';

export const backupList = {
  name: 'backup_list',
  group: 'backups',
  title: 'List backups',
  description: 'Lists backups (optionally of one cluster), newest first: phase, method, times, LSNs, errors.',
  details:
    'Lists backups in a namespace, optionally of one cluster, newest first, with phase, method, times, LSNs and errors.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional(),
    ...pageFields,
  }),
  outputSchema: z.object({ namespace: z.string(), backups: z.array(backupSummary), ...pageOutputs }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
