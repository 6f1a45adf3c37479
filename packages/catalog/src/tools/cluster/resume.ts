import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, clusterTarget } from '../shared.js';

export const clusterResume = {
  name: 'cluster_resume',
  group: 'cluster',
  title: 'Resume a hibernated cluster',
  description: 'Starts a hibernated cluster again.',
  inputSchema: z.strictObject({ ...clusterTarget, dry_run: dryRunField }),
  outputSchema: mutationOutput,
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
