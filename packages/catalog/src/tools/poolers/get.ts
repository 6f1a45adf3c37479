import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { objectNameField, readOnly } from '../shared.js';
import { poolerSummary } from './shared.js';

export const poolerGet = {
  name: 'pooler_get',
  group: 'poolers',
  title: 'Get a connection pooler',
  description: 'One PgBouncer pooler with its settings, service and status.',
  inputSchema: z.strictObject({ namespace: namespaceField.optional(), name: objectNameField }),
  outputSchema: z.object({
    pooler: poolerSummary,
    phaseReason: z.string(),
    status: z.record(z.string(), z.unknown()),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
