import { type Identity, OWNER_LABEL } from '../identity.js';
import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';

export interface Labelled {
  metadata?: { labels?: Record<string, string> };
}

/** The user id in the owner label, or undefined for an object made outside cnpg-mcp. */
export function ownerOf(object: Labelled): string | undefined {
  return object.metadata?.labels?.[OWNER_LABEL] || undefined;
}

function unlabelledUsable(access: Access): boolean {
  return access.admin || access.unlabelled === 'everyone';
}

/**
 * The one check before changing, deleting or referring to an object: objects without the owner
 * label are usable only by admins unless `ownership.unlabelled` says everyone; labelled objects,
 * under the ownership rule, only by their creator (and admins).
 */
export function requireOwnership(access: Access, identity: Identity, object: Labelled, what: string): void {
  const owner = ownerOf(object);
  if (owner === undefined) {
    if (unlabelledUsable(access)) return;
    throw new PolicyDenied(
      'unlabelled',
      `${what} was not created through cnpg-mcp (it has no ${OWNER_LABEL} label); only an admin may use or change it`,
      'ownership.unlabelled',
    );
  }
  if (access.ownershipEnforced && owner !== identity.userId) {
    throw new PolicyDenied(
      'ownership',
      `${what} was created by ${owner}; only its creator or an admin may change it`,
    );
  }
}

function readable(access: Access, identity: Identity, object: Labelled): boolean {
  if (access.admin || access.reads === 'namespace') return true;
  const owner = ownerOf(object);
  return owner === undefined ? unlabelledUsable(access) : owner === identity.userId;
}

/** With `reads: 'owned'`, non-admins may read only what they created; otherwise a no-op. */
export function requireReadable(access: Access, identity: Identity, object: Labelled, what: string): void {
  if (readable(access, identity, object)) return;
  const owner = ownerOf(object);
  throw new PolicyDenied(
    'reads',
    `${what} was ${owner ? `created by ${owner}` : 'not created through cnpg-mcp'}; this server lets you read only objects you created`,
    'reads',
  );
}

/** The predicate lists filter with: what requireReadable would let through. */
export function readableFilter(access: Access, identity: Identity): (object: Labelled) => boolean {
  return (object) => readable(access, identity, object);
}
