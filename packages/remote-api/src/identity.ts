import { createHash } from 'node:crypto';

/** Who is calling, from verified token claims. Who someone *is* is (issuer, sub); the rest is for display. */
export interface Identity {
  sub: string;
  issuer: string;
  email: string;
  /** The token says `email_verified: true` (the boolean; a string "true" does not count). */
  emailVerified: boolean;
  name: string;
  preferredUsername: string;
  groups: string[];
  scopes: string[];
  /** Kubernetes-safe user id (label value), derived from (issuer, sub) only. */
  userId: string;
}

const HASH_LENGTH = 12;
const MAX_LABEL = 63;

/** The issuer as compared everywhere: a trailing slash does not make another issuer. */
function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

/**
 * Kubernetes-safe user id: the sanitized `sub`, a dash, and the first 12 hex digits of
 * SHA-256(`<issuer without trailing slash>\n<sub>`). Nothing else goes in, so two subjects never
 * share an id, and a changed email or name never changes anyone's id (which would move their
 * objects, quotas and ownership). The result is a valid label value (≤ 63 chars, [a-z0-9-],
 * alphanumeric at both ends).
 */
export function kubernetesUserId(issuer: string, sub: string): string {
  const hash = createHash('sha256')
    .update(`${normalizeIssuer(issuer)}\n${sub}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const base = sub
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LABEL - HASH_LENGTH - 1)
    .replace(/-+$/, '');
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
  const rawGroups = claims[groupsClaim];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
  return {
    sub,
    issuer,
    email: stringClaim(claims, 'email'),
    emailVerified: claims.email_verified === true,
    name: stringClaim(claims, 'name'),
    preferredUsername: stringClaim(claims, 'preferred_username'),
    groups,
    scopes,
    userId: kubernetesUserId(issuer, sub),
  };
}

/** The email, only when the token says it is verified; '' otherwise. */
export function verifiedEmail(identity: Identity): string {
  return identity.emailVerified ? identity.email : '';
}

export const OWNER_LABEL = 'cnpg-mcp.io/created-by';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * Labels and annotations every object created by the remote API carries. The email annotation is
 * written only when verified, so nobody can sign their objects with someone else's address.
 */
export function ownerMetadata(identity: Identity): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: { [OWNER_LABEL]: identity.userId, [MANAGED_BY_LABEL]: 'cnpg-mcp' },
    annotations: {
      'cnpg-mcp.io/created-by-sub': identity.sub,
      'cnpg-mcp.io/created-by-iss': identity.issuer,
      ...(verifiedEmail(identity) ? { 'cnpg-mcp.io/created-by-email': identity.email } : {}),
    },
  };
}
