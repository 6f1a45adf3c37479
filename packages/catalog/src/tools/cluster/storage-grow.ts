import { z } from 'zod';
import { dryRunField, storageSizeField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, clusterTarget } from '../shared.js';

export const clusterStorageGrow = {
  name: 'cluster_storage_grow',
  group: 'cluster',
  title: 'Grow cluster storage',
  description: 'Grows the data (and WAL) volumes in place. To shrink: cluster_storage_shrink.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    storage_size: storageSizeField,
    wal_storage_size: storageSizeField.optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousSize: z.string(), size: z.string() }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
