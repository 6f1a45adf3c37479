import { credentialReveal } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Access, type Policy, PolicyDenied } from '../../policy.js';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';
import { databaseRoleAvailable, managedRoles, type RoleConfiguration, rolesOf } from '../roles/model.js';

type Args = z.output<typeof credentialReveal.inputSchema>;

/**
 * Who may reveal at all, before anything is read: the policy's credentialReveal rule, and the
 * read-only rule as for a write (a read-only policy or a token without the write scope).
 */
export function requireRevealAllowed(caller: { access: Access; policy: Policy }): void {
  if (!caller.access.mayRevealCredentials) {
    const who = caller.policy.credentialReveal === 'off' ? 'nobody' : 'administrators only';
    throw new PolicyDenied(
      'credentialReveal',
      `revealing credentials is limited to ${who} by the server policy`,
    );
  }
  if (caller.access.readOnly) {
    throw new PolicyDenied('read_only', `revealing credentials is refused: ${caller.access.readOnlyReason}`);
  }
}

function initdbOf(cluster: ClusterObject) {
  return (cluster.spec?.bootstrap as { initdb?: { owner?: string; secret?: { name?: string } } } | undefined)
    ?.initdb;
}

/** The role the call names: `name`, else the owner of the application database. */
export const roleNamed = (args: Args, cluster: ClusterObject): string =>
  args.name ?? initdbOf(cluster)?.owner ?? 'app';

/**
 * The Secret that holds the role's password: the one its declaration names (an inline managed
 * role wins over a DatabaseRole, as in CloudNativePG), else for the application owner the
 * cluster's application Secret. Refuses a role without a password Secret or not declared at all.
 */
export function passwordSecretOf(args: Args, cluster: ClusterObject, databaseRole: KubeObject | undefined) {
  const role = roleNamed(args, cluster);
  const declared =
    managedRoles(cluster).find((r) => r.name === role) ??
    (databaseRole?.spec as RoleConfiguration | undefined);
  if (declared) {
    const secretName = declared.passwordSecret?.name;
    if (!secretName) {
      throw new ToolFailure(
        'precondition',
        `role "${role}" has no password Secret (its password is disabled or unset)`,
      );
    }
    return { role, secretName };
  }
  const initdb = initdbOf(cluster);
  if (role === (initdb?.owner ?? 'app')) {
    return { role, secretName: initdb?.secret?.name ?? `${cluster.metadata.name}-app` };
  }
  const where = `${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`;
  throw new ToolFailure(
    'not_found',
    `role "${role}" is not declared on cluster ${where}; role_list shows the declared roles`,
  );
}

const decode = (value: string | undefined) => (value ? Buffer.from(value, 'base64').toString('utf8') : '');

/** The password and user name the Secret holds, once the objects are read and checked. */
export function planReveal(
  args: Args,
  seen: { cluster: ClusterObject; role: KubeObject | undefined; secret: KubeObject | undefined },
) {
  const { role, secretName } = passwordSecretOf(args, seen.cluster, seen.role);
  if (!seen.secret) {
    throw new ToolFailure(
      'not_found',
      `Secret "${secretName}" of role "${role}" not found in namespace "${seen.cluster.metadata.namespace ?? ''}"`,
    );
  }
  const data = seen.secret.data ?? {};
  const password = decode(data.password);
  if (!password) throw new ToolFailure('precondition', `Secret "${secretName}" has no password key`);
  return { role, secretName, username: decode(data.username) || role, password };
}

/** The DatabaseRole of the named role, when a DatabaseRole (not an inline managed role) declares it. */
async function databaseRoleName(args: Args, cluster: ClusterObject, kube: KubeReads) {
  const role = roleNamed(args, cluster);
  if (managedRoles(cluster).some((r) => r.name === role)) return undefined;
  const ctx = { kube };
  const views = await rolesOf(
    ctx,
    cluster.metadata.namespace ?? '',
    cluster,
    await databaseRoleAvailable(ctx),
  );
  return views.find((v) => v.source === 'DatabaseRole' && v.config.name === role)?.object?.metadata.name;
}

/**
 * The one tool that returns a secret value. The policy's credentialReveal setting can forbid it;
 * it is gated like a write (read-only policy or a token without the write scope refuse it), and
 * the caller must own the cluster, the DatabaseRole that declares the role, and the Secret itself:
 * a Secret's name can be anyone's (`<cluster>-app` may exist before the cluster does), so what is
 * revealed must be the caller's own. Every call is audited by the MCP layer (never its result).
 */
export const credentialRevealTool = defineTool({
  definition: credentialReveal,
  gate: requireRevealAllowed,
  references: {
    cluster: {
      kind: 'Cluster',
      intent: 'use',
      role: 'the cluster of the role',
      name: (args) => args.cluster,
      hint: 'cluster_list shows what exists',
    },
    role: {
      kind: 'DatabaseRole',
      intent: 'use',
      optional: true,
      role: 'the DatabaseRole that declares the role',
      name: (args, seen, kube) => {
        const cluster = seen.cluster as ClusterObject | undefined;
        return cluster ? databaseRoleName(args, cluster, kube) : undefined;
      },
    },
    secret: {
      kind: 'Secret',
      intent: 'use',
      optional: true,
      role: 'the Secret with the password',
      name: (args, seen) => {
        const cluster = seen.cluster as ClusterObject | undefined;
        if (!cluster) return undefined;
        try {
          return passwordSecretOf(args, cluster, seen.role).secretName;
        } catch {
          return undefined; // the plan refuses with the reason
        }
      },
    },
  },
  async run(args, ctx) {
    const cluster = seenCluster(ctx.seen);
    const revealed = planReveal(args, { cluster, role: ctx.seen.role, secret: ctx.seen.secret });
    const { role, secretName, username, password } = revealed;
    return {
      structured: { namespace: ctx.namespace, cluster: args.cluster, role, secretName, username, password },
      text: `Password of role ${username} on ${ctx.namespace}/${args.cluster} (Secret ${secretName}): ${password}\nThis reveal was recorded in the audit log.`,
    };
  },
});
