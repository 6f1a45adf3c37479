import { readFileSync } from 'node:fs';
import { parseQuantity, TOOLSET_NAMES, type ToolGroup } from '@cnpg-mcp/catalog';
import { z } from 'zod';
import { OFFICIAL_POSTGRES_REPOSITORY, parseRepositoryEntry } from './images.js';
import { RESTRICTED_POOLER_PARAMETERS, RESTRICTED_POSTGRES_PARAMETERS } from './parameters.js';
import { DANGEROUS_MEMBERSHIPS, HARMLESS_PREDEFINED_ROLES } from './role-attributes.js';

const namespaceOrAll = z.union([
  z.literal('*'),
  z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a namespace name or "*"'),
]);
const nonEmpty = z.string().min(1);
const dnsName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes object name or "*"');
const toolsetOrAll = z.enum(['*', ...TOOLSET_NAMES] as ['*', ...ToolGroup[]], {
  error: (issue) => `"${String(issue.input)}" is not a toolset: expected ${TOOLSET_NAMES.join(', ')} or "*"`,
});
const email = z.email('expected an email address');

const oneOf = (names: readonly string[], what: string) =>
  z
    .string()
    .transform((value) => value.toLowerCase())
    .refine((value) => names.includes(value), {
      error: (issue) => `"${String(issue.input)}" is not ${what} (one of: ${names.join(', ')})`,
    });

/** People named by `sub`, group, or (with allowVerifiedEmail) verified email. */
const people = z.strictObject({
  subjects: z.array(nonEmpty).default([]).describe('Token `sub` values, e.g. "auth0|64f0c2…".'),
  groups: z.array(nonEmpty).default([]).describe('Values of the groups claim (GROUPS_CLAIM).'),
  emails: z
    .array(email)
    .default([])
    .describe('Matched only with allowVerifiedEmail and a token saying email_verified: true.'),
});

/** The policy file (JSON; mount it from a ConfigMap). Every field is optional. */
export const policySchema = z
  .strictObject({
    admins: people.prefault({}).describe('Who is an admin: by subject, group or verified email.'),
    allowVerifiedEmail: z
      .boolean()
      .default(false)
      .describe(
        'Opt-in: honour `emails` entries, for tokens whose email_verified claim is true. Only when the identity provider verifies emails and an address cannot move to another account.',
      ),
    readOnly: z.boolean().default(false),
    ownership: z
      .strictObject({
        enforced: z
          .boolean()
          .default(true)
          .describe('Non-admins may change or delete only what they created.'),
        unlabelled: z
          .enum(['admins', 'everyone'])
          .default('admins')
          .describe('Who may use or change objects made outside cnpg-mcp (without the owner label).'),
      })
      .prefault({}),
    reads: z
      .enum(['namespace', 'owned'])
      .default('namespace')
      .describe(
        'namespace: read everything in your namespaces; owned: non-admins read only what they created.',
      ),
    credentialReveal: z
      .enum(['owners', 'admins', 'off'])
      .default('owners')
      .describe(
        'Who may reveal role passwords with credential_reveal: owners (and admins), admins only, or nobody.',
      ),
    namespaces: z
      .strictObject({
        everyone: z.array(namespaceOrAll).default(['*']),
        subjects: z.record(nonEmpty, z.array(namespaceOrAll)).default({}),
        groups: z.record(nonEmpty, z.array(namespaceOrAll)).default({}),
        emails: z.record(email, z.array(namespaceOrAll)).default({}),
      })
      .prefault({}),
    toolsets: z
      .strictObject({
        everyone: z.array(toolsetOrAll).default(['*']),
        subjects: z.record(nonEmpty, z.array(toolsetOrAll)).default({}),
        groups: z.record(nonEmpty, z.array(toolsetOrAll)).default({}),
        emails: z.record(email, z.array(toolsetOrAll)).default({}),
      })
      .prefault({})
      .describe(
        'Which toolsets each person may use at all, like namespaces: everyone’s, plus their subject’s, groups’ and (verified) email’s; admins use every toolset. Tools of other toolsets are not listed to them and refused.',
      ),
    quotas: z
      .strictObject({
        clustersPerUser: z.int().min(0).optional(),
        instancesPerCluster: z.int().min(1).optional(),
        storagePerCluster: z
          .string()
          .refine(
            (value) => (parseQuantity(value) ?? 0) > 0,
            'expected a storage quantity above zero such as "100Gi"',
          )
          .optional(),
      })
      .default({}),
    images: z
      .strictObject({
        registries: z
          .array(
            z
              .string()
              .refine(
                (entry) => parseRepositoryEntry(entry) !== undefined,
                'expected a repository with its registry host ("ghcr.io/org/image") or a prefix ending in "/" ("registry.example.com/")',
              ),
          )
          .default([OFFICIAL_POSTGRES_REPOSITORY]),
        catalogs: z.enum(['admin-made', 'any', 'none']).default('admin-made'),
      })
      .prefault({}),
    roleAttributes: z
      .strictObject({
        superuser: z.boolean().default(false),
        replication: z.boolean().default(false),
        bypassrls: z.boolean().default(false),
        createrole: z.boolean().default(false),
        memberOf: z
          .array(
            z
              .string()
              .transform((value) => value.toLowerCase())
              .refine((value) => value.startsWith('pg_') || Object.hasOwn(DANGEROUS_MEMBERSHIPS, value), {
                error: (issue) =>
                  `"${String(issue.input)}" is not a predefined (pg_*) or CloudNativePG-reserved role; membership in other roles needs no permission`,
              }),
          )
          .default([...HARMLESS_PREDEFINED_ROLES]),
      })
      .prefault({}),
    extensions: z
      .strictObject({
        allowed: z
          .array(
            z
              .string()
              .regex(/^(\*|[A-Za-z0-9_][A-Za-z0-9_.-]{0,62})$/, {
                error: 'expected "*", "trusted" or an extension name such as "vector"',
              })
              .transform((value) => value.toLowerCase()),
          )
          .default(['trusted']),
      })
      .prefault({})
      .describe(
        'The extensions a Database may declare present, for non-admins: names, "trusted" (the contrib extensions PostgreSQL marks trusted, and pg_stat_statements) or "*" (any). CloudNativePG creates them as the superuser.',
      ),
    parameters: z
      .strictObject({
        allow: z
          .array(oneOf(Object.keys(RESTRICTED_POSTGRES_PARAMETERS), 'a restricted PostgreSQL parameter'))
          .default([]),
      })
      .prefault({}),
    poolerSettings: z
      .strictObject({
        parameters: z
          .array(oneOf(Object.keys(RESTRICTED_POOLER_PARAMETERS), 'a restricted PgBouncer parameter'))
          .default([]),
        authQuery: z.boolean().default(false),
        weakHbaMethods: z.boolean().default(false),
      })
      .prefault({}),
    backupDestinations: z
      .strictObject({
        objectStores: z
          .array(z.union([z.literal('*'), dnsName]))
          .default(['*'])
          .describe(
            'Barman Cloud plugin ObjectStores non-admins may send a cluster’s backups and WAL to, by name; "*" = every one. ObjectStores made outside cnpg-mcp (by administrators) are the shared destinations.',
          ),
        userObjectStores: z
          .boolean()
          .default(false)
          .describe(
            'Let a person use an ObjectStore made through cnpg-mcp that they own (never someone else’s). Off: only administrator-made ObjectStores.',
          ),
        volumeSnapshotClasses: z
          .array(z.union([z.literal('*'), dnsName]))
          .default(['*'])
          .describe('VolumeSnapshotClasses non-admins may take volume-snapshot backups with; "*" = any.'),
      })
      .prefault({})
      .describe(
        'Where backups may go: a destination decides who can read a cluster’s data, so people choose among the ones named here.',
      ),
  })
  .superRefine((policy, ctx) => {
    if (policy.allowVerifiedEmail) return;
    const withEmails: (string | number)[][] = [];
    if (policy.admins.emails.length > 0) withEmails.push(['admins', 'emails']);
    if (Object.keys(policy.namespaces.emails).length > 0) withEmails.push(['namespaces', 'emails']);
    if (Object.keys(policy.toolsets.emails).length > 0) withEmails.push(['toolsets', 'emails']);
    for (const path of withEmails)
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          'emails name people only with "allowVerifiedEmail": true (and then only tokens with email_verified: true); name them by subject or group instead',
      });
  });

export type Policy = z.output<typeof policySchema>;

export function parsePolicy(raw: unknown, source: string): Policy {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.') || '(root)';
      return issue.code === 'unrecognized_keys'
        ? `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : `${path}: ${issue.message}`;
    });
    throw new Error(`POLICY_FILE ${source} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function loadPolicy(file: string | undefined): Policy {
  if (!file) return parsePolicy({}, '(built-in default)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`POLICY_FILE ${file}: cannot read JSON: ${(error as Error).message}`);
  }
  return parsePolicy(raw, file);
}
