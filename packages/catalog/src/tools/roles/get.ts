import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { readOnly, roleNameField } from '../shared.js';
import { roleSummary, roleTarget } from './shared.js';

export const roleGet = {
  name: 'role_get',
  group: 'roles',
  title: 'Get a database role',
  description: 'One role: flags, membership, password Secret, whether applied (else the error).',
  details:
    'One role of a cluster with its flags, membership, password Secret name (never the value), and status: applied, the error that blocks it, password status, client certificate expiry.',
  inputSchema: z.strictObject({ ...roleTarget, name: roleNameField }),
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
