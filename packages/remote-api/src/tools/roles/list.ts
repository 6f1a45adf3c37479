import { roleList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { defineTool } from '../context.js';
import {
  databaseRoleAvailable,
  managedRolesStatus,
  type RoleMode,
  type RoleView,
  rolesOf,
  summarizeRole,
} from './model.js';
import { roleCluster } from './references.js';

/**
 * What role_list shows of a cluster's roles: every inline managed role (part of the cluster, which
 * the caller may read) and the DatabaseRoles the caller may read, where new roles go, and the
 * roles present in PostgreSQL but not declared.
 */
export function describeRoles(
  namespace: string,
  cluster: ClusterObject,
  views: readonly RoleView[],
  mode: RoleMode,
  readable: (object: Labelled) => boolean,
) {
  const roles = views
    .filter((view) => view.source === 'managed.roles' || (view.object && readable(view.object)))
    .map((view) => summarizeRole(view, cluster));
  const notManaged = managedRolesStatus(cluster).byStatus?.['not-managed'] ?? [];
  const lines = roles.map(
    (r) =>
      `  ${r.name}  ${r.ensure === 'absent' ? 'absent' : r.login ? 'login' : 'nologin'}${r.superuser ? ' superuser' : ''}${r.inRoles.length ? `  in ${r.inRoles.join(',')}` : ''}  ${r.applied === true ? 'applied' : r.applied === false ? `NOT applied${r.message ? `: ${r.message}` : ''}` : 'pending'}  (${r.source})`,
  );
  return {
    structured: { namespace, cluster: cluster.metadata.name, mode, roles, notManaged },
    text: [
      `${roles.length} declared role(s) on ${namespace}/${cluster.metadata.name}; new roles go to ${mode}.`,
      ...lines,
      notManaged.length ? `Present but not managed: ${notManaged.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

export const roleListTool = defineTool({
  definition: roleList,
  references: { cluster: roleCluster<{ cluster: string }>('read') },
  async run(_args, ctx) {
    const cluster = seenCluster(ctx.seen);
    const available = await databaseRoleAvailable(ctx);
    const views = await rolesOf(ctx, ctx.namespace, cluster, available);
    const mode = available ? 'DatabaseRole' : 'managed.roles';
    return describeRoles(ctx.namespace, cluster, views, mode, readableFilter(ctx.access, ctx.identity));
  },
});
