import { retryOnConflict } from '../../kube/conflict-retry.js';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { getCluster } from '../cluster/ops.js';
import type { CnpgObject } from '../common/objects.js';
import { type ToolContext, ToolFailure } from '../context.js';
import { managedRoles, type RoleConfiguration, type RoleView } from './model.js';

/** spec.managed.roles with `config` appended; refused when the cluster already declares the role. */
export function withManagedRole(cluster: ClusterObject, config: RoleConfiguration): RoleConfiguration[] {
  const roles = managedRoles(cluster);
  if (roles.some((role) => role.name === config.name)) {
    throw new ToolFailure(
      'precondition',
      `role "${config.name}" is already declared on cluster ${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}; use role_update`,
    );
  }
  return [...roles, config];
}

/** spec.managed.roles with the entry of role `name` replaced by `change(entry)`. */
export function withChangedRole(
  cluster: ClusterObject,
  name: string,
  change: (role: RoleConfiguration) => RoleConfiguration,
): RoleConfiguration[] {
  const roles = managedRoles(cluster);
  if (!roles.some((role) => role.name === name)) {
    throw new ToolFailure(
      'not_found',
      `role "${name}" is no longer declared on ${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`,
    );
  }
  return roles.map((role) => (role.name === name ? change({ ...role }) : role));
}

/**
 * Rewrites the cluster's spec.managed.roles. A merge patch replaces the list whole, so the patch
 * carries the resourceVersion it was computed from; on a conflict the cluster is read again (it
 * must still be the object the framework checked) and `edit` computes the list again.
 */
export async function writeManagedRoles(
  ctx: Pick<ToolContext, 'seen' | 'kube' | 'namespace' | 'write'>,
  clusterName: string,
  edit: (cluster: ClusterObject) => RoleConfiguration[],
): Promise<ClusterObject> {
  const checked = seenCluster(ctx.seen, 'managedRoles');
  let attempt = 0;
  return retryOnConflict(async () => {
    const cluster = attempt++ === 0 ? checked : await getCluster(ctx, ctx.namespace, clusterName);
    if (cluster.metadata.uid !== checked.metadata.uid) {
      throw new ToolFailure(
        'precondition',
        `cluster ${ctx.namespace}/${clusterName} was replaced while its roles were being written; nothing was changed`,
      );
    }
    return ctx.write.patch<ClusterObject>('Cluster', clusterName, {
      metadata: { resourceVersion: cluster.metadata.resourceVersion },
      spec: { managed: { roles: edit(cluster) } },
    });
  });
}

/** A change to one existing role: the DatabaseRole spec patch, or the rewrite of its managed entry. */
export interface RoleChange {
  spec: Record<string, unknown>;
  entry: (role: RoleConfiguration) => RoleConfiguration;
}

/** Applies `change` wherever the role is declared: a merge patch of its DatabaseRole, or its entry in spec.managed.roles. */
export async function writeRoleChange(
  ctx: Pick<ToolContext, 'seen' | 'kube' | 'namespace' | 'write'>,
  view: RoleView,
  target: { cluster: string; name: string },
  change: RoleChange,
): Promise<CnpgObject | ClusterObject> {
  if (view.source === 'DatabaseRole' && view.object) {
    return ctx.write.patch('DatabaseRole', view.object.metadata.name, { spec: change.spec });
  }
  return writeManagedRoles(ctx, target.cluster, (cluster) =>
    withChangedRole(cluster, target.name, change.entry),
  );
}
