import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, pgIdentifierField, reclaimPolicyField, waitFields, waitOutputs } from '../shared.js';
import { databaseTarget, extensionInput, schemaInput } from './shared.js';

const localeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/);

export const databaseCreate = {
  name: 'database_create',
  group: 'databases',
  title: 'Create a database',
  description:
    'Creates a database: owner (the owner role must exist), encoding and locale (fixed after creation), extensions, schemas.',
  details:
    'Creates a PostgreSQL database on a cluster through a Database object, with owner, encoding and locale options (fixed after creation), connection settings, extensions and schemas. The owner role must exist (role_create).',
  inputSchema: z.strictObject({
    ...databaseTarget,
    owner: pgIdentifierField,
    encoding: z
      .string()
      .min(1)
      .max(32)
      .regex(/^[A-Za-z0-9_]+$/)
      .optional(),
    template: pgIdentifierField.optional(),
    locale_provider: z.enum(['libc', 'icu', 'builtin']).optional(),
    locale: localeName.optional(),
    lc_collate: localeName.optional(),
    lc_ctype: localeName.optional(),
    icu_locale: localeName.optional(),
    icu_rules: z.string().max(1024).optional(),
    builtin_locale: localeName.optional(),
    connection_limit: z.int().min(-1).max(100000).optional(),
    allow_connections: z.boolean().optional(),
    is_template: z.boolean().optional(),
    tablespace: pgIdentifierField.optional(),
    reclaim_policy: reclaimPolicyField.default('retain'),
    extensions: z.array(extensionInput).max(32).optional(),
    schemas: z.array(schemaInput).max(64).optional(),
    ...waitFields,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ ...waitOutputs, cluster: z.string(), objectName: z.string() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
