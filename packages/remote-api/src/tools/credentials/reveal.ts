import { credentialReveal } from '@cnpg-mcp/catalog';
import { translateKubeError } from '../../kube/errors.js';
import { PolicyDenied, requireOwnership } from '../../policy.js';
import { getCluster, resolveNamespace } from '../cluster/ops.js';
import { implement, ToolFailure } from '../context.js';
import { databaseRoleAvailable, rolesOf } from '../roles/model.js';

const decode = (value: string | undefined) => (value ? Buffer.from(value, 'base64').toString('utf8') : '');

/**
 * The one tool that returns a secret value. The policy's credentialReveal setting can forbid it;
 * it is gated like a write (read-only policy or a token without the write scope refuse it) and by
 * ownership, and every call is audited by the MCP layer
 * (which never records results).
 */
export const credentialRevealTool = implement(credentialReveal, async (args, ctx) => {
  if (!ctx.access.mayRevealCredentials) {
    const who = ctx.policy.credentialReveal === 'off' ? 'nobody' : 'administrators only';
    throw new PolicyDenied(
      'credentialReveal',
      `revealing credentials is limited to ${who} by the server policy`,
    );
  }
  if (ctx.access.readOnly) {
    throw new PolicyDenied('read_only', `revealing credentials is refused: ${ctx.access.readOnlyReason}`);
  }
  const namespace = resolveNamespace(ctx, args.namespace);
  const cluster = await getCluster(ctx, namespace, args.cluster);
  requireOwnership(ctx.access, ctx.identity, cluster, `cluster ${namespace}/${args.cluster}`);
  const initdb = (
    cluster.spec?.bootstrap as { initdb?: { owner?: string; secret?: { name?: string } } } | undefined
  )?.initdb;
  const appOwner = initdb?.owner ?? 'app';
  const role = args.name ?? appOwner;
  const views = await rolesOf(ctx, namespace, cluster, await databaseRoleAvailable(ctx));
  const view = views.find((v) => v.config.name === role);
  let secretName: string;
  if (view) {
    if (!view.config.passwordSecret?.name) {
      throw new ToolFailure(
        'precondition',
        `role "${role}" has no password Secret (its password is disabled or unset)`,
      );
    }
    if (view.object)
      requireOwnership(
        ctx.access,
        ctx.identity,
        view.object,
        `DatabaseRole ${namespace}/${view.object.metadata.name}`,
      );
    secretName = view.config.passwordSecret.name;
  } else if (role === appOwner) {
    secretName = initdb?.secret?.name ?? `${args.cluster}-app`;
  } else {
    throw new ToolFailure(
      'not_found',
      `role "${role}" is not declared on cluster ${namespace}/${args.cluster}; role_list shows the declared roles`,
    );
  }
  let data: Record<string, string>;
  try {
    data =
      (await ctx.kube.core.readNamespacedSecret({ namespace, name: secretName }, ctx.kube.options)).data ??
      {};
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') {
      throw new ToolFailure(
        'not_found',
        `Secret "${secretName}" of role "${role}" not found in namespace "${namespace}"`,
      );
    }
    throw translated ?? error;
  }
  const password = decode(data.password);
  if (!password) throw new ToolFailure('precondition', `Secret "${secretName}" has no password key`);
  const username = decode(data.username) || role;
  return {
    structured: { namespace, cluster: args.cluster, role, secretName, username, password },
    text: `Password of role ${username} on ${namespace}/${args.cluster} (Secret ${secretName}): ${password}\nThis reveal was recorded in the audit log.`,
  };
});
