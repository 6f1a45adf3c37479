import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, readOnly } from '../shared.js';

const limitField = z.int().min(1).max(500).default(50).describe('At most this many entries (1 to 500).');

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
    limit: limitField,
    type: z.enum(['Normal', 'Warning']).optional().describe('Only events of this type.'),
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    events: z.array(eventSummary),
    total: z.number().describe('Matching events before the limit.'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
