import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, reclaimPolicyField, roleNameField, waitFields, waitOutputs } from '../shared.js';
import { passwordLengthField, roleFlags, roleModeField, roleTarget } from './shared.js';

export const roleCreate = {
  name: 'role_create',
  group: 'roles',
  title: 'Create a database role',
  description:
    'Creates a PostgreSQL role; its password is generated into a Secret (credential_reveal shows it) unless disable_password.',
  details:
    'Creates a PostgreSQL role on a cluster: a DatabaseRole object where CloudNativePG 1.30+ offers it, otherwise an entry in spec.managed.roles. A password is generated on the server into a kubernetes.io/basic-auth Secret labelled cnpg.io/reload (its value is never returned; see credential_reveal), unless disable_password.',
  inputSchema: z.strictObject({
    ...roleTarget,
    name: roleNameField,
    login: roleFlags.login.default(true),
    superuser: roleFlags.superuser.default(false),
    createdb: roleFlags.createdb.default(false),
    createrole: roleFlags.createrole.default(false),
    replication: roleFlags.replication.default(false),
    bypassrls: roleFlags.bypassrls.default(false),
    inherit: roleFlags.inherit.default(true),
    connection_limit: roleFlags.connection_limit.default(-1),
    valid_until: roleFlags.valid_until.optional(),
    in_roles: roleFlags.in_roles.optional(),
    comment: roleFlags.comment.optional(),
    disable_password: z.boolean().default(false),
    password_length: passwordLengthField,
    reclaim_policy: reclaimPolicyField.default('retain'),
    client_certificate: z
      .boolean()
      .default(false)
      .describe('Also a TLS client certificate (CloudNativePG 1.30+).'),
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
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
