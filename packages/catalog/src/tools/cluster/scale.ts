import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, clusterTarget } from '../shared.js';

export const clusterScale = {
  name: 'cluster_scale',
  group: 'cluster',
  title: 'Scale a cluster',
  description: 'Sets the number of instances of a cluster (scale-down removes replicas, never the primary).',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instances: z.int().min(1).max(9).describe('New number of instances.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousInstances: z.number(), instances: z.number() }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
