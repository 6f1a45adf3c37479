import { TOOLSET_NAMES, type ToolGroup } from '@cnpg-mcp/catalog';
import type { Identity } from '../identity.js';
import { verifiedEmail } from '../identity.js';
import { PolicyDenied } from './denied.js';
import type { Policy } from './schema.js';

/** What the policy lets one person do. */
export interface Access {
  admin: boolean;
  namespaces: string[];
  /** The toolsets the policy lets this person use (whoami is in none and always allowed). */
  toolsets: ToolGroup[];
  readOnly: boolean;
  readOnlyReason: string;
  ownershipEnforced: boolean;
  /** Who may use or change objects without the owner label (made outside cnpg-mcp). */
  unlabelled: Policy['ownership']['unlabelled'];
  /** namespace: everything in the caller's namespaces is readable; owned: only what they created (admins: all). */
  reads: Policy['reads'];
  quotas: Policy['quotas'];
  /** Whether credential_reveal may run at all for this person (ownership still applies). */
  mayRevealCredentials: boolean;
  /** The dangerous-power rules; the checks skip them for admins. */
  powers: Pick<
    Policy,
    'images' | 'roleAttributes' | 'extensions' | 'parameters' | 'poolerSettings' | 'backupDestinations'
  >;
}

/**
 * How the policy's names for people match this identity: by `sub` (one issuer per server, so
 * `sub` alone names one account), by group, and by email only when the policy opted in and the
 * token says the email is verified.
 */
function peopleKeys(policy: Policy, identity: Identity) {
  const email = policy.allowVerifiedEmail ? verifiedEmail(identity).toLowerCase() : '';
  return {
    subject: (sub: string) => sub === identity.sub,
    group: (group: string) => identity.groups.includes(group),
    email: (candidate: string) => email !== '' && candidate.toLowerCase() === email,
  };
}

function isAdmin(policy: Policy, identity: Identity): boolean {
  const is = peopleKeys(policy, identity);
  return (
    policy.admins.subjects.some(is.subject) ||
    policy.admins.groups.some(is.group) ||
    policy.admins.emails.some(is.email)
  );
}

export function accessFor(
  policy: Policy,
  identity: Identity,
  allowedNamespaces: string[],
  writeScopeGranted: boolean,
  writeScope: string,
): Access {
  const is = peopleKeys(policy, identity);
  const admin = isAdmin(policy, identity);
  let granted: string[];
  if (admin) {
    granted = ['*'];
  } else {
    const set = new Set(policy.namespaces.everyone);
    const grants = [
      ...Object.entries(policy.namespaces.subjects).filter(([sub]) => is.subject(sub)),
      ...Object.entries(policy.namespaces.groups).filter(([group]) => is.group(group)),
      ...Object.entries(policy.namespaces.emails).filter(([email]) => is.email(email)),
    ];
    for (const [, list] of grants) for (const n of list) set.add(n);
    granted = set.has('*') ? ['*'] : [...set].sort();
  }
  const toolsets = admin ? [...TOOLSET_NAMES] : grantedToolsets(policy, is);
  const namespaces = intersect(granted, allowedNamespaces);
  const readOnlyReason = policy.readOnly
    ? 'the server policy is read-only'
    : writeScopeGranted
      ? ''
      : `the token lacks the ${writeScope} scope`;
  return {
    admin,
    namespaces,
    toolsets,
    readOnly: readOnlyReason !== '',
    readOnlyReason,
    ownershipEnforced: policy.ownership.enforced && !admin,
    unlabelled: policy.ownership.unlabelled,
    reads: policy.reads,
    quotas: admin ? {} : policy.quotas,
    mayRevealCredentials:
      policy.credentialReveal === 'owners' || (policy.credentialReveal === 'admins' && admin),
    powers: {
      images: policy.images,
      roleAttributes: policy.roleAttributes,
      extensions: policy.extensions,
      parameters: policy.parameters,
      poolerSettings: policy.poolerSettings,
      backupDestinations: policy.backupDestinations,
    },
  };
}

/** The union of everyone's toolsets and those named for the person's subject, groups and email. */
function grantedToolsets(policy: Policy, is: ReturnType<typeof peopleKeys>): ToolGroup[] {
  const entries = [
    policy.toolsets.everyone,
    ...Object.entries(policy.toolsets.subjects)
      .filter(([sub]) => is.subject(sub))
      .map(([, list]) => list),
    ...Object.entries(policy.toolsets.groups)
      .filter(([group]) => is.group(group))
      .map(([, list]) => list),
    ...Object.entries(policy.toolsets.emails)
      .filter(([email]) => is.email(email))
      .map(([, list]) => list),
  ];
  const chosen = new Set(entries.flat());
  return TOOLSET_NAMES.filter((name) => chosen.has('*') || chosen.has(name));
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
