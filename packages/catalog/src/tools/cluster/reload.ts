import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterTarget } from '../shared.js';

export const clusterReload = {
  name: 'cluster_reload',
  group: 'cluster',
  title: 'Reload configuration',
  description: 'Reloads the PostgreSQL configuration without a restart.',
  inputSchema: z.strictObject({ ...clusterTarget, dry_run: dryRunField }),
  outputSchema: mutationOutput,
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
