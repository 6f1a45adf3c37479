import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import { appliedFields, clusterRefField, databaseNameField, pgIdentifierField } from '../shared.js';

/** Pieces shared by the database tools. */

export const databaseTarget = {
  namespace: namespaceField.optional(),
  cluster: clusterRefField,
  name: databaseNameField,
};

const extensionVersion = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/);

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

export const extensionInput = z.strictObject({
  name: pgIdentifierField,
  version: extensionVersion.optional(),
  schema: pgIdentifierField.optional(),
  ensure: z.enum(['present', 'absent']).default('present'),
});

export const schemaInput = z.strictObject({
  name: pgIdentifierField,
  owner: pgIdentifierField.optional(),
  ensure: z.enum(['present', 'absent']).default('present'),
});
