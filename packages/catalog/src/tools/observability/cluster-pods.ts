import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, readOnly } from '../shared.js';

export const podSummary = z.object({
  name: z.string(),
  role: z.enum(['primary', 'replica', 'unknown']),
  ready: z.boolean(),
  phase: z.string(),
  restarts: z.number(),
  node: z.string(),
  ip: z.string(),
  startedAt: z.string(),
  age: z.string(),
});

export const clusterPods = {
  name: 'cluster_pods',
  group: 'observability',
  title: 'Cluster pods',
  description: 'A cluster’s instance pods: role, readiness, phase, restarts, node, IP.',
  inputSchema: z.strictObject(clusterTarget),
  outputSchema: z.object({ namespace: z.string(), cluster: z.string(), pods: z.array(podSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
