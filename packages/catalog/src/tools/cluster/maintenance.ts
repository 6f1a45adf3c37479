import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, clusterTarget } from '../shared.js';

export const clusterMaintenance = {
  name: 'cluster_maintenance',
  group: 'cluster',
  title: 'Node maintenance window',
  description: 'Starts or ends node maintenance: instances on drained nodes wait instead of moving.',
  details:
    'Sets or clears the node maintenance window (spec.nodeMaintenanceWindow), during which instances on drained nodes are not moved and their volumes may be reused.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    in_progress: z.boolean().describe('true starts it, false ends it.'),
    reuse_pvc: z.boolean().default(true).describe('Wait for the node and reuse the volume.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
