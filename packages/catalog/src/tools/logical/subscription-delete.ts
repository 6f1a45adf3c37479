import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive } from '../shared.js';
import { logicalTarget } from './shared.js';

export const subscriptionDelete = {
  name: 'subscription_delete',
  group: 'logical',
  title: 'Delete a subscription',
  description: 'Deletes a Subscription object; drop (default) also drops it in PostgreSQL.',
  details:
    'Deletes a Subscription object; the subscription is dropped in PostgreSQL when drop is set (or its reclaim policy is delete). `confirm` must equal the subscription name.',
  inputSchema: z.strictObject({
    ...logicalTarget,
    drop: z.boolean().default(true),
    confirm: confirmField('subscription name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete subscription {name} of cluster {cluster} (namespace {namespace|your default})? Changes stop arriving.',
  },
} satisfies ToolDefinition;
