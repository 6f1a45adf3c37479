import { z } from 'zod';
import { dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, objectNameField } from '../shared.js';
import { poolerInstancesField } from './shared.js';

export const poolerScale = {
  name: 'pooler_scale',
  group: 'poolers',
  title: 'Scale a connection pooler',
  description: 'Sets the number of PgBouncer pods of a pooler (0 stops it).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    instances: poolerInstancesField,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousInstances: z.number(), instances: z.number() }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
