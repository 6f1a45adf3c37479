import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive, roleNameField } from '../shared.js';
import { roleTarget } from './shared.js';

export const roleDelete = {
  name: 'role_delete',
  group: 'roles',
  title: 'Delete a database role',
  description:
    'Drops a role (drop false only stops managing it) and deletes the password Secret cnpg-mcp made.',
  details:
    'Drops a role: deletes its DatabaseRole (dropped in PostgreSQL when its reclaim policy is delete, or with drop), or marks the managed role ensure: absent. Deletes the password Secret when cnpg-mcp created it. `confirm` must equal the role name.',
  inputSchema: z.strictObject({
    ...roleTarget,
    name: roleNameField,
    drop: z.boolean().default(true),
    confirm: confirmField('role name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), deleted: z.array(z.string()) }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete role {name} of cluster {cluster} (namespace {namespace|your default})? It is dropped in PostgreSQL unless drop is false.',
  },
} satisfies ToolDefinition;
