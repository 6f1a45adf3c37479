import { z } from 'zod';
import { dryRunField, parameterNameField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, clusterTarget } from '../shared.js';

export const clusterSetParameters = {
  name: 'cluster_set_parameters',
  group: 'cluster',
  title: 'Set PostgreSQL parameters',
  description:
    'Sets or removes (null) PostgreSQL parameters. Operator-managed ones (port, archive_command…) are refused.',
  details:
    'Sets or removes (value null) PostgreSQL parameters of a cluster with a focused merge patch. Parameters the operator manages (e.g. listen_addresses, port, archive_command) are refused.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    parameters: z
      .record(parameterNameField, z.string().max(1024).nullable())
      .refine((value) => Object.keys(value).length > 0, 'at least one parameter is required'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ parameters: z.record(z.string(), z.string()) }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
