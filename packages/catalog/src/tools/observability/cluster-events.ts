import { z } from 'zod';
import { pageFields, pageOutputs } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, readOnly } from '../shared.js';

export const eventSummary = z.object({
  time: z.string(),
  type: z.string(),
  reason: z.string(),
  object: z.string().describe('kind/name of the object the event is about.'),
  message: z.string(),
  count: z.number(),
});

export const clusterEvents = {
  name: 'cluster_events',
  group: 'observability',
  title: 'Cluster events',
  description:
    'Kubernetes events about a cluster and its pods, volumes, jobs, backups and poolers, newest first.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    type: z.enum(['Normal', 'Warning']).optional(),
    ...pageFields,
    limit: pageFields.limit.unwrap().default(50),
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    events: z.array(eventSummary),
    ...pageOutputs,
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
