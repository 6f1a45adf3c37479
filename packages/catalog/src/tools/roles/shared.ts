import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import { appliedFields, clusterRefField, pgIdentifierField } from '../shared.js';

/** Pieces shared by the role tools. */

export const roleTarget = { namespace: namespaceField.optional(), cluster: clusterRefField };

export const roleModeField = z
  .enum(['DatabaseRole', 'managed.roles'])
  .describe(
    'Where the role is declared: a DatabaseRole object (CloudNativePG 1.30+) or the cluster’s spec.managed.roles (older versions).',
  );

export const roleSummary = z.object({
  name: z.string(),
  source: roleModeField,
  objectName: z.string().describe('DatabaseRole object name, or the cluster name for managed.roles.'),
  ensure: z.string(),
  login: z.boolean(),
  superuser: z.boolean(),
  createdb: z.boolean(),
  createrole: z.boolean(),
  replication: z.boolean(),
  bypassrls: z.boolean(),
  inherit: z.boolean(),
  connectionLimit: z.number(),
  validUntil: z.string(),
  inRoles: z.array(z.string()),
  comment: z.string(),
  passwordSecret: z
    .string()
    .describe('Name of the Secret holding the password ("" when none). Never its value.'),
  disablePassword: z.boolean(),
  reclaimPolicy: z.string(),
  ...appliedFields,
  owner: z.string().describe('User id of the creator, "" when not created through cnpg-mcp.'),
});

export const roleFlags = {
  login: z.boolean(),
  superuser: z.boolean(),
  createdb: z.boolean(),
  createrole: z.boolean(),
  replication: z.boolean(),
  bypassrls: z.boolean(),
  inherit: z.boolean(),
  connection_limit: z.int().min(-1).max(100000).describe('-1: no limit.'),
  valid_until: z.iso.datetime({ offset: true }),
  in_roles: z.array(pgIdentifierField).max(32).describe('Roles it is a member of, e.g. pg_read_all_data.'),
  comment: z.string().max(1024),
};

export const passwordLengthField = z.int().min(16).max(128).default(32);
