import type { Identity } from '../identity.js';
import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';
import { type Labelled, ownerOf } from './ownership.js';

const named = (list: readonly string[], name: string) => list.includes('*') || list.includes(name);

/**
 * A backup destination decides who can read a cluster's data: a write user pointing their cluster's
 * WAL archiver at their own bucket copies every row out. Non-admins may use the ObjectStores
 * `backupDestinations.objectStores` names (default: all) that administrators made (no owner
 * label), and their own cnpg-mcp-made ones only with `backupDestinations.userObjectStores`;
 * someone else's never.
 */
export function requireObjectStoreAllowed(
  access: Access,
  identity: Identity,
  store: Labelled & { metadata?: { name?: string } },
): void {
  if (access.admin) return;
  const rules = access.powers.backupDestinations;
  const name = store.metadata?.name ?? '';
  const owner = ownerOf(store);
  if (owner !== undefined && owner !== identity.userId) {
    throw new PolicyDenied(
      'backupDestinations',
      `ObjectStore ${name} was created by ${owner}; backups may go only to shared (administrator-made) object stores or your own`,
    );
  }
  if (owner !== undefined && !rules.userObjectStores) {
    throw new PolicyDenied(
      'backupDestinations',
      `ObjectStore ${name} was made through cnpg-mcp, not by an administrator; this server sends backups only to administrator-made object stores`,
      'backupDestinations.userObjectStores',
    );
  }
  if (!named(rules.objectStores, name)) {
    throw new PolicyDenied(
      'backupDestinations',
      `ObjectStore ${name} is not an allowed backup destination (allowed: ${rules.objectStores.join(', ') || 'none'})`,
      'backupDestinations.objectStores',
    );
  }
}

/** Volume-snapshot backups only with the classes `backupDestinations.volumeSnapshotClasses` names. */
export function requireSnapshotClassAllowed(access: Access, className: string): void {
  if (access.admin) return;
  const allowed = access.powers.backupDestinations.volumeSnapshotClasses;
  if (named(allowed, className)) return;
  throw new PolicyDenied(
    'backupDestinations',
    `VolumeSnapshotClass ${className} is not an allowed backup destination (allowed: ${allowed.join(', ') || 'none'})`,
    'backupDestinations.volumeSnapshotClasses',
  );
}
