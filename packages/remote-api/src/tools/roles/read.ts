import { roleGet, roleList } from '@cnpg-mcp/catalog';
import { getCluster, resolveNamespace } from '../cluster/ops.js';
import { str } from '../common/objects.js';
import { implement, ToolFailure } from '../context.js';
import { databaseRoleAvailable, managedRolesStatus, roleState, rolesOf, summarizeRole } from './model.js';

export const roleListTool = implement(roleList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const cluster = await getCluster(ctx, namespace, args.cluster);
  const available = await databaseRoleAvailable(ctx);
  const roles = (await rolesOf(ctx, namespace, cluster, available)).map((view) =>
    summarizeRole(view, cluster),
  );
  const notManaged = managedRolesStatus(cluster).byStatus?.['not-managed'] ?? [];
  const mode = available ? 'DatabaseRole' : 'managed.roles';
  const lines = roles.map(
    (r) =>
      `  ${r.name}  ${r.ensure === 'absent' ? 'absent' : r.login ? 'login' : 'nologin'}${r.superuser ? ' superuser' : ''}${r.inRoles.length ? `  in ${r.inRoles.join(',')}` : ''}  ${r.applied === true ? 'applied' : r.applied === false ? `NOT applied${r.message ? `: ${r.message}` : ''}` : 'pending'}  (${r.source})`,
  );
  return {
    structured: { namespace, cluster: args.cluster, mode, roles, notManaged },
    text: [
      `${roles.length} declared role(s) on ${namespace}/${args.cluster}; new roles go to ${mode}.`,
      ...lines,
      notManaged.length ? `Present but not managed: ${notManaged.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
});

export const roleGetTool = implement(roleGet, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const cluster = await getCluster(ctx, namespace, args.cluster);
  const views = await rolesOf(ctx, namespace, cluster, await databaseRoleAvailable(ctx));
  const view = views.find((v) => v.config.name === args.name);
  if (!view) {
    throw new ToolFailure(
      'not_found',
      `role "${args.name}" is not declared on cluster ${namespace}/${args.cluster}; role_list shows the declared roles`,
    );
  }
  const role = summarizeRole(view, cluster);
  const status = view.object?.status ?? {};
  const certificate = (status.clientCertificate ?? {}) as { expiration?: unknown };
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).map(
    (c: Record<string, unknown>) => ({
      type: str(c.type),
      status: str(c.status),
      reason: str(c.reason),
      message: str(c.message),
    }),
  );
  const errors = roleState(view, cluster).errors;
  const structured = {
    namespace,
    cluster: args.cluster,
    role,
    errors,
    clientCertificateExpiration: str(certificate.expiration),
    conditions,
  };
  const text = [
    `Role ${role.name} on ${namespace}/${args.cluster} (${role.source}${role.source === 'DatabaseRole' ? ` ${role.objectName}` : ''}): ${role.applied === true ? 'applied' : role.applied === false ? 'NOT applied' : 'not reconciled yet'}`,
    `  ${['login', 'superuser', 'createdb', 'createrole', 'replication', 'bypassrls', 'inherit'].filter((f) => role[f as 'login']).join(' ') || 'no attributes'}; connection limit ${role.connectionLimit}${role.validUntil ? `; valid until ${role.validUntil}` : ''}`,
    role.inRoles.length ? `  member of ${role.inRoles.join(', ')}` : '',
    `  password: ${role.disablePassword ? 'disabled' : role.passwordSecret ? `in Secret ${role.passwordSecret}` : 'none'}`,
    ...errors.map((e) => `  error: ${e}`),
    structured.clientCertificateExpiration
      ? `  client certificate expires ${structured.clientCertificateExpiration}`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { structured, text };
});
