import { z } from 'zod';
import type { ToolDefinition } from '../types.js';
import { readOnly } from './shared.js';

export const whoami = {
  name: 'whoami',
  group: null,
  title: 'Who am I',
  description:
    'Shows who the remote API thinks you are (user id, subject, email, groups), your token scopes, the namespaces you may use and what the policy lets you do.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({
    userId: z
      .string()
      .describe('Kubernetes-safe user id put on objects you create (label cnpg-mcp.io/created-by).'),
    sub: z.string(),
    issuer: z.string(),
    email: z.string(),
    name: z.string(),
    preferredUsername: z.string(),
    groups: z.array(z.string()),
    scopes: z.array(z.string()),
    admin: z.boolean(),
    canRead: z.boolean(),
    canWrite: z.boolean(),
    readOnlyReason: z.string().describe('Why writes are refused, or "" when they are allowed.'),
    namespaces: z.array(z.string()).describe('Namespaces you may use; ["*"] means all.'),
    defaultNamespace: z.string(),
    ownershipEnforced: z.boolean().describe('True when you may change or delete only what you created.'),
    canRevealCredentials: z
      .boolean()
      .describe('True when the policy lets you reveal role passwords with credential_reveal.'),
    quotas: z.object({
      clustersPerUser: z.number().nullable(),
      instancesPerCluster: z.number().nullable(),
      storagePerCluster: z.string().nullable(),
    }),
    impersonation: z.string().describe('"off", or how Kubernetes RBAC sees you.'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
