import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import { clusterSummary } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { readOnly } from '../shared.js';

export const clusterList = {
  name: 'cluster_list',
  group: 'cluster',
  title: 'List PostgreSQL clusters',
  description:
    'Lists clusters (one namespace or all_namespaces): phase, ready instances, primary, image, owner.',
  details:
    'Lists CloudNativePG clusters in one namespace or in every namespace you may use: phase, ready/total instances, primary, image, age and owner.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    all_namespaces: z.boolean().default(false),
  }),
  outputSchema: z.object({
    namespaces: z.array(z.string()).describe('Namespaces that were listed.'),
    clusters: z.array(clusterSummary),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
