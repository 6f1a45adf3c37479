import { roleGet } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { str } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { declaredRole, roleNotDeclared, roleState, summarizeRole } from './model.js';
import { readRoleReferences } from './references.js';

type Args = z.output<typeof roleGet.inputSchema>;

/** What role_get shows of a role: its summary, reconciliation errors, client certificate and conditions. */
export function describeRole(
  args: Args,
  seen: { cluster: ClusterObject; role: KubeObject | undefined },
  namespace: string,
) {
  const view = declaredRole(args.name, seen.cluster, seen.role);
  if (!view) throw roleNotDeclared(args.name, namespace, args.cluster);
  const role = summarizeRole(view, seen.cluster);
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
  const errors = roleState(view, seen.cluster).errors;
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
}

export const roleGetTool = defineTool({
  definition: roleGet,
  references: readRoleReferences<Args>(),
  async run(args, ctx) {
    return describeRole(args, { cluster: seenCluster(ctx.seen), role: ctx.seen.role }, ctx.namespace);
  },
});
