import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { readOnly } from '../shared.js';
import { roleModeField, roleSummary, roleTarget } from './shared.js';

export const roleList = {
  name: 'role_list',
  group: 'roles',
  title: 'List database roles',
  description: 'A cluster’s roles: flags, whether applied, and roles that exist unmanaged.',
  details:
    'Lists the PostgreSQL roles declared for a cluster (DatabaseRole objects on CloudNativePG 1.30+, and spec.managed.roles) with their flags and whether they were applied, plus roles that exist but are not managed.',
  inputSchema: z.strictObject(roleTarget),
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
