import { z } from 'zod';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructiveIdempotent } from '../shared.js';
import { fenceInput } from './shared.js';

export const clusterFence = {
  name: 'cluster_fence',
  group: 'cluster',
  title: 'Fence an instance',
  description: 'Fences an instance ("*": all): PostgreSQL stops, the pod stays, no failover happens.',
  details:
    'Fences an instance (or "*" for all): the pod keeps running but PostgreSQL is stopped and it gets no traffic. No failover happens for a fenced primary.',
  inputSchema: fenceInput,
  outputSchema: mutationOutput.extend({ fencedInstances: z.array(z.string()) }),
  annotations: destructiveIdempotent,
  requiredScope: 'write',
  confirmation: {
    question:
      'Fence {instance} of cluster {name} (namespace {namespace|your default})? PostgreSQL stops there ("*": everywhere) and no failover happens.',
  },
} satisfies ToolDefinition;
