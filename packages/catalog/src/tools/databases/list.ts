import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterRefField, readOnly } from '../shared.js';
import { databaseSummary } from './shared.js';

export const databaseList = {
  name: 'database_list',
  group: 'databases',
  title: 'List databases',
  description: 'Lists databases (optionally of one cluster): name, owner, reclaim policy, applied.',
  details:
    'Lists Database objects (declarative databases) in a namespace, optionally of one cluster: PostgreSQL name, owner, reclaim policy, and whether it was applied.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional(),
  }),
  outputSchema: z.object({ namespace: z.string(), databases: z.array(databaseSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
