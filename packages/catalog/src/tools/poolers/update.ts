import { z } from 'zod';
import { dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, objectNameField } from '../shared.js';
import {
  pgbouncerParameterName,
  pgbouncerParameterValue,
  pgHbaField,
  poolerSummary,
  poolModeField,
} from './shared.js';

export const poolerUpdate = {
  name: 'pooler_update',
  group: 'poolers',
  title: 'Change a connection pooler',
  description:
    'Changes the pool mode, PgBouncer parameters (null removes one) or pg_hba lines, or pauses and resumes a pooler.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    pool_mode: poolModeField.optional(),
    parameters: z.record(pgbouncerParameterName, pgbouncerParameterValue.nullable()).optional(),
    pg_hba: pgHbaField.optional().describe('Replaces the lines; [] removes them.'),
    paused: z.boolean().optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ pooler: poolerSummary }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
