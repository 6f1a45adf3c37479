import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { readOnly } from '../shared.js';
import { databaseSummary, databaseTarget } from './shared.js';

const objectStatus = z.object({ name: z.string(), applied: z.boolean(), message: z.string() });

export const databaseGet = {
  name: 'database_get',
  group: 'databases',
  title: 'Get a database',
  description:
    'One database: owner, encoding, locale, limits; whether it, its extensions and schemas were applied.',
  details:
    'One declarative database of a cluster: its spec (owner, encoding, locale, connection limit) and status (applied, message, and each extension and schema).',
  inputSchema: z.strictObject(databaseTarget),
  outputSchema: z.object({
    database: databaseSummary,
    spec: z.record(z.string(), z.unknown()),
    extensions: z.array(objectStatus),
    schemas: z.array(objectStatus),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
