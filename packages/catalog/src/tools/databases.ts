import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../fields.js';
import { mutationOutput } from '../outputs.js';
import type { ToolDefinition } from '../types.js';
import {
  appliedFields,
  change,
  clusterRefField,
  create,
  databaseNameField,
  destructive,
  pgIdentifierField,
  readOnly,
  reclaimPolicyField,
  waitFields,
  waitOutputs,
} from './shared.js';

const target = { namespace: namespaceField.optional(), cluster: clusterRefField, name: databaseNameField };

const localeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/);

const extensionVersion = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/);

const objectStatus = z.object({ name: z.string(), applied: z.boolean(), message: z.string() });

export const databaseSummary = z.object({
  objectName: z.string().describe('Database object name.'),
  cluster: z.string(),
  name: z.string().describe('PostgreSQL database name.'),
  owner: z.string(),
  ensure: z.string(),
  reclaimPolicy: z.string(),
  ...appliedFields,
  createdBy: z.string().describe('User id of the creator, "" when not created through cnpg-mcp.'),
});

const extensionInput = z.strictObject({
  name: pgIdentifierField,
  version: extensionVersion.optional().describe('Extension version; the default version when omitted.'),
  schema: pgIdentifierField.optional().describe('Schema to install into.'),
  ensure: z.enum(['present', 'absent']).default('present'),
});

const schemaInput = z.strictObject({
  name: pgIdentifierField,
  owner: pgIdentifierField.optional().describe('Owner role; the database owner when omitted.'),
  ensure: z.enum(['present', 'absent']).default('present'),
});

export const databaseList = {
  name: 'database_list',
  title: 'List databases',
  description:
    'Lists Database objects (declarative databases) in a namespace, optionally of one cluster: PostgreSQL name, owner, reclaim policy, and whether it was applied.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional().describe('Only databases of this cluster.'),
  }),
  outputSchema: z.object({ namespace: z.string(), databases: z.array(databaseSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const databaseGet = {
  name: 'database_get',
  title: 'Get a database',
  description:
    'One declarative database of a cluster: its spec (owner, encoding, locale, connection limit) and status (applied, message, and each extension and schema).',
  inputSchema: z.strictObject(target),
  outputSchema: z.object({
    database: databaseSummary,
    spec: z.record(z.string(), z.unknown()),
    extensions: z.array(objectStatus),
    schemas: z.array(objectStatus),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const databaseCreate = {
  name: 'database_create',
  title: 'Create a database',
  description:
    'Creates a PostgreSQL database on a cluster through a Database object, with owner, encoding and locale options (fixed after creation), connection settings, extensions and schemas. The owner role must exist (role_create).',
  inputSchema: z.strictObject({
    ...target,
    owner: pgIdentifierField.describe('Owner role of the database.'),
    encoding: z
      .string()
      .min(1)
      .max(32)
      .regex(/^[A-Za-z0-9_]+$/)
      .optional()
      .describe('Character encoding, e.g. UTF8.'),
    template: pgIdentifierField.optional().describe('Template database (default template1).'),
    locale_provider: z.enum(['libc', 'icu', 'builtin']).optional(),
    locale: localeName.optional().describe('LOCALE (sets both LC_COLLATE and LC_CTYPE).'),
    lc_collate: localeName.optional(),
    lc_ctype: localeName.optional(),
    icu_locale: localeName.optional().describe('ICU locale; needs locale_provider icu.'),
    icu_rules: z.string().max(1024).optional().describe('ICU collation rules; needs locale_provider icu.'),
    builtin_locale: localeName
      .optional()
      .describe('Builtin locale such as C.UTF-8; needs locale_provider builtin.'),
    connection_limit: z.int().min(-1).max(100000).optional().describe('-1 means no limit.'),
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
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const databaseUpdate = {
  name: 'database_update',
  title: 'Update a database, its extensions and schemas',
  description:
    'Changes the owner or connection settings of a database, and adds, changes or removes (ensure absent) extensions and schemas, merged by name with what is declared.',
  inputSchema: z.strictObject({
    ...target,
    owner: pgIdentifierField.optional(),
    connection_limit: z.int().min(-1).max(100000).optional(),
    allow_connections: z.boolean().optional(),
    is_template: z.boolean().optional(),
    tablespace: pgIdentifierField.optional(),
    reclaim_policy: reclaimPolicyField.optional(),
    extensions: z.array(extensionInput).max(32).optional(),
    schemas: z.array(schemaInput).max(64).optional(),
    ...waitFields,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    ...waitOutputs,
    cluster: z.string(),
    objectName: z.string(),
    changed: z.array(z.string()),
  }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const databaseDelete = {
  name: 'database_delete',
  title: 'Delete a database',
  description:
    'Deletes the Database object. The PostgreSQL database is dropped only with drop (or reclaim policy delete); otherwise it stays, unmanaged. `confirm` must equal the database name.',
  inputSchema: z.strictObject({
    ...target,
    drop: z
      .boolean()
      .default(false)
      .describe('Also DROP DATABASE in PostgreSQL (sets the reclaim policy to delete first).'),
    confirm: confirmField('database name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string(), dropped: z.boolean() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const databaseTools = [
  databaseList,
  databaseGet,
  databaseCreate,
  databaseUpdate,
  databaseDelete,
] as const;
