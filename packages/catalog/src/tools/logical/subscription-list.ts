import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { appliedFields, readOnly } from '../shared.js';
import { logicalListInput } from './shared.js';

export const subscriptionSummary = z.object({
  objectName: z.string(),
  cluster: z.string(),
  name: z.string().describe('PostgreSQL subscription name.'),
  database: z.string(),
  publication: z.string(),
  externalCluster: z.string(),
  publicationDatabase: z.string(),
  reclaimPolicy: z.string(),
  ...appliedFields,
  owner: z.string(),
});

export const subscriptionList = {
  name: 'subscription_list',
  group: 'logical',
  title: 'List subscriptions',
  description: 'Lists subscriptions (optionally of one cluster).',
  details:
    'Lists logical-replication subscriptions (Subscription objects) in a namespace, optionally of one cluster.',
  inputSchema: logicalListInput,
  outputSchema: z.object({ namespace: z.string(), subscriptions: z.array(subscriptionSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
