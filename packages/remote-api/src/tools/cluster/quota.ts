import { parseQuantity } from '@cnpg-mcp/catalog';
import { type Access, PolicyDenied } from '../../policy.js';

/**
 * The per-cluster quotas, decided from the spec a call would write (pure). The clustersPerUser
 * quota is not here: it needs the ledger (quota/cluster-quota.ts), which holds across calls.
 */

/** `why` says where an instance count comes from when it is not the caller's own number. */
export function requireInstanceQuota(access: Access, instances: number, why = ''): void {
  const max = access.quotas.instancesPerCluster;
  if (max !== undefined && instances > max) {
    throw new PolicyDenied(
      'quota.instancesPerCluster',
      `${why}${instances} instances exceed your quota of ${max} per cluster`,
    );
  }
}

/** Storage of a cluster counts data plus WAL volumes of every instance. */
export function requireStorageQuota(
  access: Access,
  instances: number,
  size: string,
  walSize: string | undefined,
  why = '',
): void {
  const max = access.quotas.storagePerCluster;
  if (max === undefined) return;
  const total = instances * ((parseQuantity(size) ?? 0) + (walSize ? (parseQuantity(walSize) ?? 0) : 0));
  if (total > (parseQuantity(max) ?? 0)) {
    throw new PolicyDenied(
      'quota.storagePerCluster',
      `${why}${instances} × (${size}${walSize ? ` + ${walSize} WAL` : ''}) exceeds your storage quota of ${max} per cluster`,
    );
  }
}
