import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructiveIdempotent } from '../shared.js';

export const clusterScale = {
  name: 'cluster_scale',
  group: 'cluster',
  title: 'Scale a cluster',
  description:
    'Sets the number of instances. Scaling down removes replicas (never the primary) and their volumes.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instances: z.int().min(1).max(9),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousInstances: z.number(), instances: z.number() }),
  // Destructive: a scale-down deletes replicas and their volumes. The person confirms that (where
  // the client can ask); scaling up runs at once.
  annotations: destructiveIdempotent,
  requiredScope: 'write',
  confirmation: {
    onlySome: true,
    question:
      'Scale cluster {name} (namespace {namespace|your default}) to {instances} instances? Fewer instances than now removes replicas and their volumes.',
  },
} satisfies ToolDefinition;
