import { z } from 'zod';
import type { ToolDefinition } from '../types.js';
import { readOnly } from './shared.js';

export const whoami = {
  name: 'whoami',
  group: null,
  title: 'Who am I',
  description: 'Who you are to the server: identity, scopes, namespaces and what the policy lets you do.',
  details:
    'Shows who the remote API thinks you are (user id, subject, email, groups), your token scopes, the namespaces you may use and what the policy lets you do.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({
    userId: z
      .string()
      .describe('Kubernetes-safe user id put on objects you create (label cnpg-mcp.io/created-by).'),
    sub: z.string(),
    issuer: z.string(),
    email: z.string(),
    emailVerified: z
      .boolean()
      .describe(
        'True when the token says the email is verified; only a verified email may name you in the policy or in annotations.',
      ),
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
    unlabelledUsable: z
      .boolean()
      .describe(
        'True when you may use or change objects made outside cnpg-mcp (without the owner label): admins, or policy ownership.unlabelled "everyone".',
      ),
    reads: z
      .enum(['namespace', 'owned'])
      .describe(
        'What you may read: everything in your namespaces, or (policy reads "owned") only what you created.',
      ),
    canRevealCredentials: z
      .boolean()
      .describe('True when the policy lets you reveal role passwords with credential_reveal.'),
    quotas: z.object({
      clustersPerUser: z.number().nullable(),
      instancesPerCluster: z.number().nullable(),
      storagePerCluster: z.string().nullable(),
    }),
    impersonation: z.string().describe('"off", or how Kubernetes RBAC sees you.'),
    powers: z
      .object({
        images: z.object({
          registries: z
            .array(z.string())
            .describe('Image repositories (or registry prefixes ending in "/") you may run; ["*"]: any.'),
          catalogs: z.enum(['admin-made', 'any', 'none']).describe('Which image catalogs you may use.'),
        }),
        roleAttributes: z.object({
          superuser: z.boolean(),
          replication: z.boolean(),
          bypassrls: z.boolean(),
          createrole: z.boolean(),
          memberOf: z
            .array(z.string())
            .describe(
              'Predefined (pg_*) and reserved roles you may grant membership in (other roles need no permission); ["*"]: any.',
            ),
        }),
        extensions: z
          .array(z.string())
          .describe('Extensions you may create: names, "trusted" (PostgreSQL\'s trusted ones); ["*"]: any.'),
        parameters: z
          .array(z.string())
          .describe(
            'Restricted PostgreSQL parameters (code-loading, authentication) you may set; ["*"]: any.',
          ),
        poolerSettings: z.object({
          parameters: z
            .array(z.string())
            .describe('Restricted PgBouncer parameters you may set; ["*"]: any.'),
          authQuery: z.boolean(),
          weakHbaMethods: z.boolean(),
        }),
      })
      .describe(
        'What the dangerous-power rules of the policy let you use (the policy keys images, roleAttributes, extensions, parameters, poolerSettings as they apply to you; admins may use everything).',
      ),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
