import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { appliedFields, readOnly } from '../shared.js';
import { logicalListInput } from './shared.js';

export const publicationSummary = z.object({
  objectName: z.string(),
  cluster: z.string(),
  name: z.string().describe('PostgreSQL publication name.'),
  database: z.string(),
  target: z.string().describe('"all tables", or the tables and schemas published.'),
  reclaimPolicy: z.string(),
  ...appliedFields,
  owner: z.string(),
});

export const publicationList = {
  name: 'publication_list',
  group: 'logical',
  title: 'List publications',
  description: 'Lists publications (optionally of one cluster).',
  details:
    'Lists logical-replication publications (Publication objects) in a namespace, optionally of one cluster.',
  inputSchema: logicalListInput,
  outputSchema: z.object({ namespace: z.string(), publications: z.array(publicationSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
