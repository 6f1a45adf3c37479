import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterRefField, readOnly } from '../shared.js';
import { backupSummary } from './shared.js';

export const backupList = {
  name: 'backup_list',
  group: 'backups',
  title: 'List backups',
  description:
    'Lists backups in a namespace, optionally of one cluster, newest first, with phase, method, times, LSNs and errors.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional().describe('Only backups of this cluster.'),
  }),
  outputSchema: z.object({ namespace: z.string(), backups: z.array(backupSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
