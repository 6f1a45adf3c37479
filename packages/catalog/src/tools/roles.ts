import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../fields.js';
import { mutationOutput } from '../outputs.js';
import type { ToolDefinition } from '../types.js';
import {
  appliedFields,
  change,
  clusterRefField,
  create,
  destructive,
  pgIdentifierField,
  readOnly,
  reclaimPolicyField,
  roleNameField,
  waitFields,
  waitOutputs,
} from './shared.js';

const target = { namespace: namespaceField.optional(), cluster: clusterRefField };

const roleModeField = z
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

const flags = {
  login: z.boolean().describe('LOGIN: the role may connect.'),
  superuser: z.boolean().describe('SUPERUSER.'),
  createdb: z.boolean().describe('CREATEDB.'),
  createrole: z.boolean().describe('CREATEROLE.'),
  replication: z.boolean().describe('REPLICATION.'),
  bypassrls: z.boolean().describe('BYPASSRLS: ignore row-level security.'),
  inherit: z.boolean().describe('INHERIT privileges of roles it is a member of.'),
  connection_limit: z.int().min(-1).max(100000).describe('CONNECTION LIMIT; -1 means no limit.'),
  valid_until: z.iso
    .datetime({ offset: true })
    .describe('VALID UNTIL, an RFC 3339 time such as 2027-01-01T00:00:00Z.'),
  in_roles: z
    .array(pgIdentifierField)
    .max(32)
    .describe('Roles this role is a member of (e.g. pg_read_all_data); replaces the list on update.'),
  comment: z.string().max(1024).describe('COMMENT ON ROLE.'),
};

const passwordLengthField = z
  .int()
  .min(16)
  .max(128)
  .default(32)
  .describe('Length of the generated password (16 to 128).');

export const roleList = {
  name: 'role_list',
  title: 'List database roles',
  description:
    'Lists the PostgreSQL roles declared for a cluster (DatabaseRole objects on CloudNativePG 1.30+, and spec.managed.roles) with their flags and whether they were applied, plus roles that exist but are not managed.',
  inputSchema: z.strictObject(target),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    mode: roleModeField.describe('Where new roles are declared on this cluster.'),
    roles: z.array(roleSummary),
    notManaged: z.array(z.string()).describe('Roles present in PostgreSQL but not declared.'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const roleGet = {
  name: 'role_get',
  title: 'Get a database role',
  description:
    'One role of a cluster with its flags, membership, password Secret name (never the value), and status: applied, the error that blocks it, password status, client certificate expiry.',
  inputSchema: z.strictObject({ ...target, name: roleNameField }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    role: roleSummary,
    errors: z.array(z.string()).describe('Reconciliation errors reported by the instance manager.'),
    clientCertificateExpiration: z.string(),
    conditions: z.array(
      z.object({ type: z.string(), status: z.string(), reason: z.string(), message: z.string() }),
    ),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const roleCreate = {
  name: 'role_create',
  title: 'Create a database role',
  description:
    'Creates a PostgreSQL role on a cluster: a DatabaseRole object where CloudNativePG 1.30+ offers it, otherwise an entry in spec.managed.roles. A password is generated on the server into a kubernetes.io/basic-auth Secret labelled cnpg.io/reload (its value is never returned; see credential_reveal), unless disable_password.',
  inputSchema: z.strictObject({
    ...target,
    name: roleNameField,
    login: flags.login.default(true),
    superuser: flags.superuser.default(false),
    createdb: flags.createdb.default(false),
    createrole: flags.createrole.default(false),
    replication: flags.replication.default(false),
    bypassrls: flags.bypassrls.default(false),
    inherit: flags.inherit.default(true),
    connection_limit: flags.connection_limit.default(-1),
    valid_until: flags.valid_until.optional(),
    in_roles: flags.in_roles.optional(),
    comment: flags.comment.optional(),
    disable_password: z
      .boolean()
      .default(false)
      .describe('Create the role with no password (NULL) instead of generating one.'),
    password_length: passwordLengthField,
    reclaim_policy: reclaimPolicyField
      .default('retain')
      .describe(
        'DatabaseRole only: retain keeps the PostgreSQL role when the object is deleted, delete drops it.',
      ),
    client_certificate: z
      .boolean()
      .default(false)
      .describe(
        'DatabaseRole only: also issue a TLS client certificate (Secret <object>-client-cert). Needs login.',
      ),
    ...waitFields,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    ...waitOutputs,
    cluster: z.string(),
    mode: roleModeField,
    passwordSecret: z
      .string()
      .describe('Secret with the generated password ("" when disabled). Never the value.'),
  }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const roleUpdate = {
  name: 'role_update',
  title: 'Update a database role',
  description:
    'Changes the attributes of a role: flags, membership (in_roles replaces the list), connection limit, expiry (valid_until null removes it) and comment. Passwords change with role_rotate_password.',
  inputSchema: z.strictObject({
    ...target,
    name: roleNameField,
    login: flags.login.optional(),
    superuser: flags.superuser.optional(),
    createdb: flags.createdb.optional(),
    createrole: flags.createrole.optional(),
    replication: flags.replication.optional(),
    bypassrls: flags.bypassrls.optional(),
    inherit: flags.inherit.optional(),
    connection_limit: flags.connection_limit.optional(),
    valid_until: flags.valid_until.nullable().optional(),
    in_roles: flags.in_roles.optional(),
    comment: flags.comment.optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    cluster: z.string(),
    mode: roleModeField,
    changed: z.array(z.string()),
  }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const roleRotatePassword = {
  name: 'role_rotate_password',
  title: 'Rotate a role’s password',
  description:
    'Generates a new password on the server and writes it to the role’s Secret (labelled cnpg.io/reload, so the operator applies it at once). A role without a password gets a new Secret. The value is never returned.',
  inputSchema: z.strictObject({
    ...target,
    name: roleNameField,
    password_length: passwordLengthField,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), passwordSecret: z.string() }),
  annotations: { ...change, idempotentHint: false },
  requiredScope: 'write',
} satisfies ToolDefinition;

export const roleDelete = {
  name: 'role_delete',
  title: 'Delete a database role',
  description:
    'Drops a role: deletes its DatabaseRole (dropped in PostgreSQL when its reclaim policy is delete, or with drop), or marks the managed role ensure: absent. Deletes the password Secret when cnpg-mcp created it. `confirm` must equal the role name.',
  inputSchema: z.strictObject({
    ...target,
    name: roleNameField,
    drop: z
      .boolean()
      .default(true)
      .describe(
        'Drop the role in PostgreSQL (managed.roles: ensure absent; DatabaseRole: reclaim policy delete). false only stops managing it.',
      ),
    confirm: confirmField('role name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), deleted: z.array(z.string()) }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const roleTools = [roleList, roleGet, roleCreate, roleUpdate, roleRotatePassword, roleDelete] as const;
