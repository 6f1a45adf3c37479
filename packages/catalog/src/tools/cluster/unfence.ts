import { z } from 'zod';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change } from '../shared.js';
import { fenceInput } from './shared.js';

export const clusterUnfence = {
  name: 'cluster_unfence',
  group: 'cluster',
  title: 'Unfence an instance',
  description: 'Lifts fencing from an instance ("*": all).',
  inputSchema: fenceInput,
  outputSchema: mutationOutput.extend({ fencedInstances: z.array(z.string()) }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
