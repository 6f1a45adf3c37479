import { z } from 'zod';
import { confirmField, dryRunField, storageSizeField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructive } from '../shared.js';
import { shrinkStatusOutput } from './shared.js';

export const clusterStorageShrink = {
  name: 'cluster_storage_shrink',
  group: 'cluster',
  title: 'Shrink cluster storage (guided)',
  description:
    'Shrinks the data volumes one guided step per call; call again after each (cluster_storage_shrink_status shows the plan).',
  details:
    'Shrinks the data volumes, which cannot shrink in place, one safe step per call: (1) set the smaller size (CloudNativePG’s admission validation, which refuses it, is switched off for that one write and switched back on at once) and add one instance at the new size (it counts against your instances-per-cluster quota), (2) switch over to an instance at the new size, (3) destroy one oversized replica at a time so the operator recreates it at the new size, (4) scale back. Call it again after each step; cluster_storage_shrink_status shows the plan. `confirm` must equal the cluster name.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    storage_size: storageSizeField.describe('Smaller than now.'),
    confirm: confirmField('cluster name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ ...shrinkStatusOutput, performed: z.string() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Take the next step shrinking the storage of cluster {name} (namespace {namespace|your default}) to {storage_size}? The steps replace instances and their volumes.',
  },
} satisfies ToolDefinition;
