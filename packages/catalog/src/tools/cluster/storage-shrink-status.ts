import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, readOnly } from '../shared.js';
import { shrinkStatusOutput } from './shared.js';

export const clusterStorageShrinkStatus = {
  name: 'cluster_storage_shrink_status',
  group: 'cluster',
  title: 'Storage shrink status',
  description: 'Progress of a storage shrink: target size, each volume, the next step.',
  details:
    'Shows the state of a guided storage shrink: target size, each volume and whether it is at the target, and the next step cluster_storage_shrink will take.',
  inputSchema: z.strictObject({ ...clusterTarget }),
  outputSchema: z.object({ namespace: z.string(), name: z.string(), ...shrinkStatusOutput }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
