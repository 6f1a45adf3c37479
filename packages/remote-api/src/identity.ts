import { createHash } from 'node:crypto';

/** Who is calling, from verified token claims. */
export interface Identity {
  sub: string;
  issuer: string;
  email: string;
  name: string;
  preferredUsername: string;
  groups: string[];
  scopes: string[];
  /** Kubernetes-safe user id (label value). */
  userId: string;
}

const HASH_LENGTH = 10;
const MAX_LABEL = 63;

/**
 * Kubernetes-safe user id: the sanitized display name, a dash, and the first 10 hex digits of
 * SHA-256(`<issuer without trailing slash>\n<raw display name>`). The display name is
 * preferred_username, else email, else sub. The result is a valid label value (≤ 63 chars,
 * [a-z0-9-], alphanumeric at both ends) and is stable across sessions; different issuers or
 * names that sanitize alike get different hashes.
 */
export function kubernetesUserId(issuer: string, displayName: string): string {
  const normalizedIssuer = issuer.replace(/\/+$/, '');
  const hash = createHash('sha256')
    .update(`${normalizedIssuer}\n${displayName}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  let base = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/@.*$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  base = base.slice(0, MAX_LABEL - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${base || 'user'}-${hash}`;
}

const stringClaim = (claims: Record<string, unknown>, key: string) => {
  const value = claims[key];
  return typeof value === 'string' ? value : '';
};

export function identityFromClaims(
  claims: Record<string, unknown>,
  scopes: string[],
  groupsClaim: string,
): Identity {
  const sub = stringClaim(claims, 'sub');
  const issuer = stringClaim(claims, 'iss');
  const email = stringClaim(claims, 'email');
  const preferredUsername = stringClaim(claims, 'preferred_username');
  const rawGroups = claims[groupsClaim];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
  const displayName = preferredUsername || email || sub;
  return {
    sub,
    issuer,
    email,
    name: stringClaim(claims, 'name'),
    preferredUsername,
    groups,
    scopes,
    userId: kubernetesUserId(issuer, displayName),
  };
}

export const OWNER_LABEL = 'cnpg-mcp.io/created-by';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** Labels and annotations every object created by the remote API carries. */
export function ownerMetadata(identity: Identity): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: { [OWNER_LABEL]: identity.userId, [MANAGED_BY_LABEL]: 'cnpg-mcp' },
    annotations: {
      'cnpg-mcp.io/created-by-sub': identity.sub,
      'cnpg-mcp.io/created-by-iss': identity.issuer,
      ...(identity.email ? { 'cnpg-mcp.io/created-by-email': identity.email } : {}),
    },
  };
}
