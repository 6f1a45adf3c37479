import { z } from 'zod';
import { dryRunField, instanceNameField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterTarget } from '../shared.js';

export const clusterRestart = {
  name: 'cluster_restart',
  group: 'cluster',
  title: 'Restart a cluster or one instance',
  description: 'Rolling restart of the cluster (replicas first), or of one instance.',
  details:
    'Rolling restart of the whole cluster (replicas first, then the primary), or of one instance: a replica pod is recreated, the primary is restarted in place.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instance: instanceNameField.optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
