import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructive } from '../shared.js';

export const clusterDelete = {
  name: 'cluster_delete',
  group: 'cluster',
  title: 'Delete a cluster',
  description:
    'Deletes a cluster with all its instances, volumes, services and operator-created secrets. Irreversible: `confirm` must equal the cluster name.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    confirm: confirmField('cluster name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;
