/** status.managedRolesStatus for spec.managed.roles, as the primary's instance manager reports it. */
import { asRecord, type KubeObject } from '../../types.js';
import type { ControllerClient } from '../client.js';

const RESERVED = ['postgres', 'streaming_replica'];

interface Role {
  name: string;
  ensure?: string;
  inRoles?: string[];
  passwordSecret?: { name?: string };
}

let transactionId = 750;

export function managedRolesStatus(
  client: ControllerClient,
  cluster: KubeObject,
  initdb: { owner: string },
): Record<string, unknown> {
  const ns = cluster.metadata.namespace!;
  const roles = (asRecord(asRecord(cluster.spec).managed).roles as Role[] | undefined) ?? [];
  const previous = asRecord(asRecord(asRecord(cluster.status).managedRolesStatus).passwordStatus);
  const databaseRoles = client
    .list('DatabaseRole', ns)
    .filter((r) => asRecord(asRecord(r.spec).cluster).name === cluster.metadata.name)
    .map((r) => String(asRecord(r.spec).name));
  const existing = new Set([
    ...RESERVED,
    initdb.owner,
    ...roles.filter((r) => (r.ensure ?? 'present') === 'present').map((r) => r.name),
    ...databaseRoles,
  ]);
  const reconciled: string[] = [];
  const pending: string[] = [];
  const cannotReconcile: Record<string, string[]> = {};
  const passwordStatus: Record<string, unknown> = {};
  for (const role of roles) {
    const problems: string[] = [];
    if ((role.ensure ?? 'present') === 'present') {
      for (const parent of role.inRoles ?? []) {
        if (!existing.has(parent) && !parent.startsWith('pg_')) {
          problems.push(
            `could not perform UPDATE_MEMBERSHIPS on role ${role.name}: role "${parent}" does not exist`,
          );
        }
      }
      const secretName = role.passwordSecret?.name;
      if (secretName) {
        const secret = client.get('Secret', ns, secretName);
        if (!secret) {
          problems.push(
            `could not get password secret for role ${role.name}: secrets "${secretName}" not found`,
          );
        } else {
          const old = asRecord(previous[role.name]);
          const sameVersion = old.resourceVersion === secret.metadata.resourceVersion;
          passwordStatus[role.name] = {
            transactionID:
              sameVersion && typeof old.transactionID === 'number' ? old.transactionID : ++transactionId,
            resourceVersion: secret.metadata.resourceVersion,
          };
        }
      }
    }
    if (problems.length > 0) {
      pending.push(role.name);
      cannotReconcile[role.name] = problems;
    } else {
      reconciled.push(role.name);
    }
  }
  const managedNames = new Set(roles.map((r) => r.name));
  const byStatus: Record<string, string[]> = {
    reserved: RESERVED,
    'not-managed': [initdb.owner, ...databaseRoles].filter((n) => !managedNames.has(n)).sort(),
  };
  if (reconciled.length > 0) byStatus.reconciled = reconciled.sort();
  if (pending.length > 0) byStatus['pending-reconciliation'] = pending.sort();
  return {
    byStatus,
    ...(Object.keys(cannotReconcile).length > 0 ? { cannotReconcile } : {}),
    ...(Object.keys(passwordStatus).length > 0 ? { passwordStatus } : {}),
  };
}
