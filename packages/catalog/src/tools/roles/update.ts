import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, roleNameField } from '../shared.js';
import { roleFlags, roleModeField, roleTarget } from './shared.js';

export const roleUpdate = {
  name: 'role_update',
  group: 'roles',
  title: 'Update a database role',
  description:
    'Changes a role’s flags, membership (in_roles replaces it), connection limit, expiry (null removes it) or comment.',
  details:
    'Changes the attributes of a role: flags, membership (in_roles replaces the list), connection limit, expiry (valid_until null removes it) and comment. Passwords change with role_rotate_password.',
  inputSchema: z.strictObject({
    ...roleTarget,
    name: roleNameField,
    login: roleFlags.login.optional(),
    superuser: roleFlags.superuser.optional(),
    createdb: roleFlags.createdb.optional(),
    createrole: roleFlags.createrole.optional(),
    replication: roleFlags.replication.optional(),
    bypassrls: roleFlags.bypassrls.optional(),
    inherit: roleFlags.inherit.optional(),
    connection_limit: roleFlags.connection_limit.optional(),
    valid_until: roleFlags.valid_until.nullable().optional(),
    in_roles: roleFlags.in_roles.optional(),
    comment: roleFlags.comment.optional(),
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
