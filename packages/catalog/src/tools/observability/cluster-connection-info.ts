import { z } from 'zod';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, readOnly } from '../shared.js';

const endpoint = z.object({ service: z.string(), host: z.string(), port: z.number(), purpose: z.string() });

export const clusterConnectionInfo = {
  name: 'cluster_connection_info',
  group: 'observability',
  title: 'Connection information',
  description:
    'How to connect: rw/ro/r services, poolers, port, database, user, password Secret (its value: credential_reveal).',
  details:
    'How to connect to a cluster: read-write, read-only and any-instance services, poolers, port, application database and user, and the name of the Secret holding the password (never its value; see credential_reveal).',
  inputSchema: z.strictObject(clusterTarget),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    endpoints: z.array(endpoint),
    database: z.string(),
    user: z.string(),
    secretName: z.string().describe('basic-auth Secret of the application user.'),
    superuserSecretName: z.string().describe('Superuser Secret when superuser access is enabled, else "".'),
    uri: z.string().describe('A connection URI without the password.'),
    ca: z.string().describe('Secret with the server CA certificate (ca.crt).'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
