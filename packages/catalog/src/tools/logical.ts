import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../fields.js';
import { mutationOutput } from '../outputs.js';
import type { ToolDefinition } from '../types.js';
import {
  appliedFields,
  clusterRefField,
  create,
  databaseNameField,
  destructive,
  objectNameField,
  pgIdentifierField,
  readOnly,
  reclaimPolicyField,
} from './shared.js';

const target = { namespace: namespaceField.optional(), cluster: clusterRefField, name: pgIdentifierField };

const parametersField = z
  .record(
    z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_]+$/),
    z.string().max(256),
  )
  .describe('WITH (…) parameters of the CREATE statement.');

export const publicationSummary = z.object({
  objectName: z.string(),
  cluster: z.string(),
  name: z.string().describe('PostgreSQL publication name.'),
  database: z.string(),
  target: z.string().describe('"all tables", or the tables and schemas published.'),
  reclaimPolicy: z.string(),
  ...appliedFields,
  owner: z.string(),
});

export const subscriptionSummary = z.object({
  objectName: z.string(),
  cluster: z.string(),
  name: z.string().describe('PostgreSQL subscription name.'),
  database: z.string(),
  publication: z.string(),
  externalCluster: z.string(),
  publicationDatabase: z.string(),
  reclaimPolicy: z.string(),
  ...appliedFields,
  owner: z.string(),
});

const listInput = z.strictObject({
  namespace: namespaceField.optional(),
  cluster: clusterRefField.optional().describe('Only objects of this cluster.'),
});

export const publicationList = {
  name: 'publication_list',
  title: 'List publications',
  description:
    'Lists logical-replication publications (Publication objects) in a namespace, optionally of one cluster.',
  inputSchema: listInput,
  outputSchema: z.object({ namespace: z.string(), publications: z.array(publicationSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const publicationCreate = {
  name: 'publication_create',
  title: 'Create a publication',
  description:
    'Creates a logical-replication publication in a database of a cluster: all tables, or listed tables and schemas (give all_tables or at least one of tables, schemas).',
  inputSchema: z.strictObject({
    ...target,
    database: databaseNameField.describe('Database the publication lives in.'),
    all_tables: z.boolean().default(false).describe('FOR ALL TABLES.'),
    tables: z
      .array(
        z.strictObject({
          schema: pgIdentifierField.default('public'),
          name: pgIdentifierField,
          columns: z.array(pgIdentifierField).max(100).optional(),
          only: z.boolean().optional().describe('Exclude descendant tables.'),
        }),
      )
      .max(100)
      .optional(),
    schemas: z.array(pgIdentifierField).max(50).optional().describe('FOR TABLES IN SCHEMA (PostgreSQL 15+).'),
    parameters: parametersField.optional(),
    reclaim_policy: reclaimPolicyField.default('retain'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const publicationDelete = {
  name: 'publication_delete',
  title: 'Delete a publication',
  description:
    'Deletes a Publication object; the publication is dropped in PostgreSQL when drop is set (or its reclaim policy is delete). `confirm` must equal the publication name.',
  inputSchema: z.strictObject({
    ...target,
    drop: z.boolean().default(true).describe('Also drop the publication in PostgreSQL.'),
    confirm: confirmField('publication name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const subscriptionList = {
  name: 'subscription_list',
  title: 'List subscriptions',
  description:
    'Lists logical-replication subscriptions (Subscription objects) in a namespace, optionally of one cluster.',
  inputSchema: listInput,
  outputSchema: z.object({ namespace: z.string(), subscriptions: z.array(subscriptionSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const subscriptionCreate = {
  name: 'subscription_create',
  title: 'Create a subscription',
  description:
    'Subscribes a database of a cluster to a publication of an external cluster, which must be declared in the cluster’s spec.externalClusters.',
  inputSchema: z.strictObject({
    ...target,
    database: databaseNameField.describe('Database that receives the data.'),
    publication: pgIdentifierField.describe('Publication name on the source.'),
    external_cluster: objectNameField.describe('Name of the source in spec.externalClusters.'),
    publication_database: databaseNameField
      .optional()
      .describe('Source database; the one in the external cluster’s connection when omitted.'),
    parameters: parametersField.optional(),
    reclaim_policy: reclaimPolicyField.default('retain'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const subscriptionDelete = {
  name: 'subscription_delete',
  title: 'Delete a subscription',
  description:
    'Deletes a Subscription object; the subscription is dropped in PostgreSQL when drop is set (or its reclaim policy is delete). `confirm` must equal the subscription name.',
  inputSchema: z.strictObject({
    ...target,
    drop: z.boolean().default(true).describe('Also drop the subscription in PostgreSQL.'),
    confirm: confirmField('subscription name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const logicalTools = [
  publicationList,
  publicationCreate,
  publicationDelete,
  subscriptionList,
  subscriptionCreate,
  subscriptionDelete,
] as const;
