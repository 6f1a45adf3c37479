import { z } from 'zod';
import { dryRunField, instanceNameField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterTarget } from '../shared.js';

export const clusterSwitchover = {
  name: 'cluster_switchover',
  group: 'cluster',
  title: 'Switch over the primary',
  description:
    'Promotes a replica to primary; refused unless the cluster is healthy and the target ready (force skips that).',
  details:
    'Promotes a replica to primary through status.targetPrimary (as `kubectl cnpg promote` does). Refused while the cluster is not healthy or the target is not a ready replica, unless `force`.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    target_instance: instanceNameField.optional().describe('Default: the first ready replica.'),
    force: z.boolean().default(false),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousPrimary: z.string(), targetPrimary: z.string() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
