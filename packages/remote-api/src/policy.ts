import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Identity } from './identity.js';
import { OWNER_LABEL } from './identity.js';
import { quantityBytes } from './quantity.js';

const namespaceOrAll = z.union([z.literal('*'), z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)]);

/** The policy file (JSON; mount it from a ConfigMap). Every field is optional. */
export const policySchema = z.strictObject({
  adminGroups: z.array(z.string().min(1)).default([]),
  adminUsers: z
    .array(z.string().min(1))
    .default([])
    .describe('Matched against user id, sub, email or preferred_username.'),
  readOnly: z.boolean().default(false),
  ownership: z.boolean().default(true).describe('Non-admins may change or delete only what they created.'),
  credentialReveal: z
    .enum(['owners', 'admins', 'off'])
    .default('owners')
    .describe(
      'Who may reveal role passwords with credential_reveal: owners (and admins), admins only, or nobody.',
    ),
  namespaces: z
    .strictObject({
      everyone: z.array(namespaceOrAll).default(['*']),
      users: z.record(z.string(), z.array(namespaceOrAll)).default({}),
      groups: z.record(z.string(), z.array(namespaceOrAll)).default({}),
    })
    .default({ everyone: ['*'], users: {}, groups: {} }),
  quotas: z
    .strictObject({
      clustersPerUser: z.int().min(0).optional(),
      instancesPerCluster: z.int().min(1).optional(),
      storagePerCluster: z
        .string()
        .refine((value) => quantityBytes(value) !== undefined, 'expected a storage quantity such as "100Gi"')
        .optional(),
    })
    .default({}),
});

export type Policy = z.output<typeof policySchema>;

export function loadPolicy(file: string | undefined): Policy {
  if (!file) return policySchema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`POLICY_FILE ${file}: cannot read JSON: ${(error as Error).message}`);
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`POLICY_FILE ${file} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** A refusal by the policy; `rule` names the rule that refused. */
export class PolicyDenied extends Error {
  constructor(
    readonly rule:
      | 'namespace'
      | 'read_only'
      | 'ownership'
      | 'quota.clustersPerUser'
      | 'quota.instancesPerCluster'
      | 'quota.storagePerCluster'
      | 'credentialReveal'
      | 'scope',
    message: string,
  ) {
    super(message);
    this.name = 'PolicyDenied';
  }
}

/** What the policy lets one person do. */
export interface Access {
  admin: boolean;
  namespaces: string[];
  readOnly: boolean;
  readOnlyReason: string;
  ownershipEnforced: boolean;
  quotas: Policy['quotas'];
  /** Whether credential_reveal may run at all for this person (ownership still applies). */
  mayRevealCredentials: boolean;
}

export function accessFor(
  policy: Policy,
  identity: Identity,
  allowedNamespaces: string[],
  writeScopeGranted: boolean,
  writeScope: string,
): Access {
  const names = new Set(
    [identity.userId, identity.sub, identity.email, identity.preferredUsername].filter(Boolean),
  );
  const admin =
    identity.groups.some((g) => policy.adminGroups.includes(g)) ||
    policy.adminUsers.some((u) => names.has(u));
  let granted: string[];
  if (admin) {
    granted = ['*'];
  } else {
    const set = new Set(policy.namespaces.everyone);
    for (const [user, list] of Object.entries(policy.namespaces.users))
      if (names.has(user)) for (const n of list) set.add(n);
    for (const [group, list] of Object.entries(policy.namespaces.groups))
      if (identity.groups.includes(group)) for (const n of list) set.add(n);
    granted = set.has('*') ? ['*'] : [...set].sort();
  }
  const namespaces = intersect(granted, allowedNamespaces);
  const readOnlyReason = policy.readOnly
    ? 'the server policy is read-only'
    : writeScopeGranted
      ? ''
      : `the token lacks the ${writeScope} scope`;
  return {
    admin,
    namespaces,
    readOnly: readOnlyReason !== '',
    readOnlyReason,
    ownershipEnforced: policy.ownership && !admin,
    quotas: admin ? {} : policy.quotas,
    mayRevealCredentials:
      policy.credentialReveal === 'owners' || (policy.credentialReveal === 'admins' && admin),
  };
}

function intersect(granted: string[], allowed: string[]): string[] {
  if (allowed.includes('*')) return granted;
  if (granted.includes('*')) return [...allowed].sort();
  return granted.filter((n) => allowed.includes(n)).sort();
}

export function namespaceAllowed(access: Access, namespace: string): boolean {
  return access.namespaces.includes('*') || access.namespaces.includes(namespace);
}

export function requireNamespace(access: Access, namespace: string): void {
  if (!namespaceAllowed(access, namespace)) {
    const list = access.namespaces.length ? access.namespaces.join(', ') : 'none';
    throw new PolicyDenied('namespace', `namespace "${namespace}" is not allowed for you (allowed: ${list})`);
  }
}

export function requireWritable(access: Access): void {
  if (access.readOnly) throw new PolicyDenied('read_only', `writes are refused: ${access.readOnlyReason}`);
}

/** Non-admins under the ownership rule may change only objects labelled with their user id. */
export function requireOwnership(
  access: Access,
  identity: Identity,
  object: { metadata?: { labels?: Record<string, string> } },
  what: string,
): void {
  if (!access.ownershipEnforced) return;
  const owner = object.metadata?.labels?.[OWNER_LABEL];
  if (owner !== identity.userId) {
    throw new PolicyDenied(
      'ownership',
      `${what} was ${owner ? `created by ${owner}` : 'not created through cnpg-mcp'}; only its creator or an admin may change it`,
    );
  }
}
