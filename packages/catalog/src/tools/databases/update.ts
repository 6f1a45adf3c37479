import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, pgIdentifierField, reclaimPolicyField, waitFields, waitOutputs } from '../shared.js';
import { databaseTarget, extensionInput, schemaInput } from './shared.js';

export const databaseUpdate = {
  name: 'database_update',
  group: 'databases',
  title: 'Update a database, its extensions and schemas',
  description:
    'Changes a database’s owner or connection settings, and adds or removes (ensure absent) extensions and schemas.',
  details:
    'Changes the owner or connection settings of a database, and adds, changes or removes (ensure absent) extensions and schemas, merged by name with what is declared.',
  inputSchema: z.strictObject({
    ...databaseTarget,
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
