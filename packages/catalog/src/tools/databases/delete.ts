import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive } from '../shared.js';
import { databaseTarget } from './shared.js';

export const databaseDelete = {
  name: 'database_delete',
  group: 'databases',
  title: 'Delete a database',
  description: 'Deletes the Database object; drop also drops the database, otherwise it stays unmanaged.',
  details:
    'Deletes the Database object. The PostgreSQL database is dropped only with drop (or reclaim policy delete); otherwise it stays, unmanaged. `confirm` must equal the database name.',
  inputSchema: z.strictObject({
    ...databaseTarget,
    drop: z.boolean().default(false).describe('Also DROP DATABASE.'),
    confirm: confirmField('database name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string(), dropped: z.boolean() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete database {name} of cluster {cluster} (namespace {namespace|your default})? With drop, its data is dropped in PostgreSQL.',
  },
} satisfies ToolDefinition;
