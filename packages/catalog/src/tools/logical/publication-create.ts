import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, databaseNameField, pgIdentifierField, reclaimPolicyField } from '../shared.js';
import { logicalTarget, parametersField } from './shared.js';

export const publicationCreate = {
  name: 'publication_create',
  group: 'logical',
  title: 'Create a publication',
  description: 'Creates a publication in a database: all_tables, or tables and/or schemas.',
  details:
    'Creates a logical-replication publication in a database of a cluster: all tables, or listed tables and schemas (give all_tables or at least one of tables, schemas).',
  inputSchema: z.strictObject({
    ...logicalTarget,
    database: databaseNameField,
    all_tables: z.boolean().default(false),
    tables: z
      .array(
        z.strictObject({
          schema: pgIdentifierField.default('public'),
          name: pgIdentifierField,
          columns: z.array(pgIdentifierField).max(100).optional(),
          only: z.boolean().optional(),
        }),
      )
      .max(100)
      .optional(),
    schemas: z.array(pgIdentifierField).max(50).optional().describe('PostgreSQL 15+.'),
    parameters: parametersField.optional(),
    reclaim_policy: reclaimPolicyField.default('retain'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
