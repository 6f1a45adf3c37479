import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterRefField, readOnly } from '../shared.js';
import { poolerSummary } from './shared.js';

export const poolerList = {
  name: 'pooler_list',
  group: 'poolers',
  title: 'List connection poolers',
  description: 'Lists poolers (optionally of one cluster): type, pods, pool mode, phase.',
  details:
    'Lists PgBouncer poolers in a namespace, optionally of one cluster: type, instances, pool mode, phase.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional(),
  }),
  outputSchema: z.object({ namespace: z.string(), poolers: z.array(poolerSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
