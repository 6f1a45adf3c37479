import { roleCreate, roleDelete, roleRotatePassword, roleUpdate } from '@cnpg-mcp/catalog';
import { requireOwnership } from '../../policy.js';
import type { ClusterObject } from '../cluster/model.js';
import {
  clusterForChange,
  getCluster,
  mutation,
  patchCluster,
  requireConfirmation,
  retryOnConflict,
} from '../cluster/ops.js';
import {
  type CnpgObject,
  createObject,
  deleteObject,
  derivedName,
  patchObject,
  say,
} from '../common/objects.js';
import { waitApplied, waitSummary } from '../common/wait.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import {
  databaseRoleAvailable,
  managedRoles,
  type RoleConfiguration,
  type RoleMode,
  type RoleView,
  roleFlags,
  roleState,
  rolesOf,
} from './model.js';
import {
  createPasswordSecret,
  deleteOwnPasswordSecret,
  passwordSecretName,
  replacePassword,
  secretMetadata,
} from './secret.js';

/** The cluster (checked for writes, namespace and ownership), its roles, and where new roles go. */
async function roleContext(
  ctx: LegacyToolContext,
  args: { namespace?: string | undefined; cluster: string },
) {
  const { namespace, cluster } = await clusterForChange(ctx, {
    namespace: args.namespace,
    name: args.cluster,
  });
  const available = await databaseRoleAvailable(ctx);
  const views = await rolesOf(ctx, namespace, cluster, available);
  const mode: RoleMode = available ? 'DatabaseRole' : 'managed.roles';
  return { namespace, cluster, views, mode };
}

function findRole(views: RoleView[], name: string, namespace: string, cluster: string): RoleView {
  const view = views.find((v) => v.config.name === name);
  if (!view) {
    throw new ToolFailure(
      'not_found',
      `role "${name}" is not declared on cluster ${namespace}/${cluster}; role_list shows the declared roles`,
    );
  }
  return view;
}

/**
 * Rewrites one entry of spec.managed.roles. Merge patches replace arrays whole, so the patch
 * carries the resourceVersion it was computed from and is retried on conflict.
 */
async function patchManagedRole(
  ctx: LegacyToolContext,
  namespace: string,
  clusterName: string,
  roleName: string,
  edit: (roles: RoleConfiguration[]) => RoleConfiguration[],
  dryRun: boolean,
  removing = false,
): Promise<ClusterObject> {
  return retryOnConflict(async () => {
    const fresh = await getCluster(ctx, namespace, clusterName);
    const roles = edit(managedRoles(fresh).map((r) => ({ ...r })));
    if (!roles.some((r) => r.name === roleName) && !removing) {
      throw new ToolFailure(
        'not_found',
        `role "${roleName}" is no longer declared on ${namespace}/${clusterName}`,
      );
    }
    return patchCluster(
      ctx,
      namespace,
      clusterName,
      { metadata: { resourceVersion: fresh.metadata.resourceVersion }, spec: { managed: { roles } } },
      dryRun,
    );
  });
}

/**
 * Changes one role wherever it is declared: a merge patch of the DatabaseRole's spec, or a
 * rewrite of its entry in the cluster's spec.managed.roles.
 */
async function changeRole(
  ctx: LegacyToolContext,
  view: RoleView,
  target: { namespace: string; cluster: string; name: string },
  change: { spec: Record<string, unknown>; entry: (role: RoleConfiguration) => RoleConfiguration },
  dryRun: boolean,
): Promise<CnpgObject | ClusterObject> {
  if (view.source === 'DatabaseRole' && view.object) {
    return patchObject(
      ctx,
      'databaseroles',
      target.namespace,
      view.object.metadata.name,
      { spec: change.spec },
      dryRun,
    );
  }
  return patchManagedRole(
    ctx,
    target.namespace,
    target.cluster,
    target.name,
    (roles) => roles.map((role) => (role.name === target.name ? change.entry(role) : role)),
    dryRun,
  );
}

export const roleCreateTool = implement(roleCreate, async (args, ctx) => {
  if (args.client_certificate && !args.login) {
    throw new ToolFailure('invalid_input', 'client_certificate: a client certificate needs login=true');
  }
  const { namespace, views, mode } = await roleContext(ctx, args);
  if (mode === 'managed.roles' && args.client_certificate) {
    throw new ToolFailure(
      'invalid_input',
      'client_certificate: needs the DatabaseRole resource (CloudNativePG 1.30+), which this cluster’s operator does not serve',
    );
  }
  if (views.some((v) => v.config.name === args.name)) {
    throw new ToolFailure(
      'precondition',
      `role "${args.name}" is already declared on cluster ${namespace}/${args.cluster}; use role_update`,
    );
  }
  const secretName = args.disable_password ? '' : passwordSecretName(args.cluster, args.name);
  const config: RoleConfiguration = {
    name: args.name,
    ensure: 'present',
    ...roleFlags(args),
    ...(secretName ? { passwordSecret: { name: secretName } } : { disablePassword: true }),
  };
  if (secretName) {
    await createPasswordSecret(
      ctx,
      namespace,
      args.cluster,
      args.name,
      secretName,
      args.password_length,
      args.dry_run,
    );
  }
  let object: CnpgObject | ClusterObject;
  try {
    if (mode === 'DatabaseRole') {
      const { ensure: _present, ...spec } = config;
      object = await createObject(
        ctx,
        'databaseroles',
        namespace,
        derivedName(args.cluster, args.name),
        {
          ...spec,
          cluster: { name: args.cluster },
          databaseRoleReclaimPolicy: args.reclaim_policy,
          ...(args.client_certificate ? { clientCertificate: { enabled: true } } : {}),
        },
        args.dry_run,
        { 'cnpg.io/cluster': args.cluster },
      );
    } else {
      object = await patchManagedRole(
        ctx,
        namespace,
        args.cluster,
        args.name,
        (roles) => [...roles, config],
        args.dry_run,
      );
    }
  } catch (error) {
    // Roll back the Secret so a failed create leaves nothing behind.
    if (secretName && !args.dry_run)
      await deleteOwnPasswordSecret(ctx, namespace, secretName, args.name, false).catch(() => false);
    throw error;
  }
  const message = `role ${args.name} declared on ${namespace}/${args.cluster} (${mode})${secretName ? `; password generated into Secret ${secretName}` : '; password disabled'}`;
  const base = {
    ...mutation(namespace, args.name, 'created', args.dry_run, message, object),
    cluster: args.cluster,
    mode,
    passwordSecret: secretName,
  };
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, applied: null, waited: false },
      text: say(args.dry_run, `${message}. The operator applies it shortly (role_get shows the status).`),
    };
  }
  const result = await waitApplied(ctx, args.wait_timeout_seconds, `role ${args.name}`, async () => {
    const cluster = await getCluster(ctx, namespace, args.cluster);
    const views = await rolesOf(ctx, namespace, cluster, mode === 'DatabaseRole');
    const view = views.find((v) => v.config.name === args.name);
    const state = view ? roleState(view, cluster) : { applied: null, errors: [] };
    return { applied: state.applied, message: state.errors.join('; ') };
  });
  const summary = `${message}; ${waitSummary(`role ${args.name}`, result, args.wait_timeout_seconds)}`;
  return { structured: { ...base, message: summary, applied: result.applied, waited: true }, text: summary };
});

export const roleUpdateTool = implement(roleUpdate, async (args, ctx) => {
  const { namespace, views } = await roleContext(ctx, args);
  const view = findRole(views, args.name, namespace, args.cluster);
  const flags = roleFlags(args);
  const changed = Object.keys(flags);
  if (changed.length === 0) {
    throw new ToolFailure('invalid_input', '(arguments): give at least one attribute to change');
  }
  if (view.object)
    requireOwnership(
      ctx.access,
      ctx.identity,
      view.object,
      `DatabaseRole ${namespace}/${view.object.metadata.name}`,
    );
  const object = await changeRole(
    ctx,
    view,
    { namespace, cluster: args.cluster, name: args.name },
    {
      spec: flags,
      entry: (role) => {
        const next: RoleConfiguration = { ...role, ...flags } as RoleConfiguration;
        if (flags.validUntil === null) delete next.validUntil;
        return next;
      },
    },
    args.dry_run,
  );
  const message = `role ${args.name} on ${namespace}/${args.cluster} updated: ${changed.join(', ')}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'updated', args.dry_run, message, object),
      cluster: args.cluster,
      mode: view.source,
      changed,
    },
    text: say(args.dry_run, message),
  };
});

export const roleRotatePasswordTool = implement(roleRotatePassword, async (args, ctx) => {
  const { namespace, views } = await roleContext(ctx, args);
  const view = findRole(views, args.name, namespace, args.cluster);
  if (view.object)
    requireOwnership(
      ctx.access,
      ctx.identity,
      view.object,
      `DatabaseRole ${namespace}/${view.object.metadata.name}`,
    );
  const existing = view.config.passwordSecret?.name;
  let secretName = existing ?? '';
  let object: CnpgObject | ClusterObject | undefined;
  if (existing && (await secretMetadata(ctx, namespace, existing))) {
    await replacePassword(ctx, namespace, existing, args.password_length, args.dry_run);
  } else {
    secretName = existing ?? passwordSecretName(args.cluster, args.name);
    await createPasswordSecret(
      ctx,
      namespace,
      args.cluster,
      args.name,
      secretName,
      args.password_length,
      args.dry_run,
    );
    object = await changeRole(
      ctx,
      view,
      { namespace, cluster: args.cluster, name: args.name },
      {
        spec: { passwordSecret: { name: secretName }, disablePassword: null },
        entry: ({ disablePassword: _disabled, ...rest }) => ({
          ...rest,
          passwordSecret: { name: secretName },
        }),
      },
      args.dry_run,
    );
  }
  const message = `new password for role ${args.name} on ${namespace}/${args.cluster} written to Secret ${secretName}; the operator applies it (cnpg.io/reload)`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'password-rotated', args.dry_run, message, object),
      cluster: args.cluster,
      passwordSecret: secretName,
    },
    text: say(args.dry_run, message),
  };
});

export const roleDeleteTool = implement(roleDelete, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'role name');
  const { namespace, views } = await roleContext(ctx, args);
  const view = findRole(views, args.name, namespace, args.cluster);
  const deleted: string[] = [];
  let object: CnpgObject | ClusterObject | undefined;
  if (view.source === 'DatabaseRole' && view.object) {
    const objectName = view.object.metadata.name;
    requireOwnership(ctx.access, ctx.identity, view.object, `DatabaseRole ${namespace}/${objectName}`);
    if (args.drop && view.object.spec?.databaseRoleReclaimPolicy !== 'delete') {
      await patchObject(
        ctx,
        'databaseroles',
        namespace,
        objectName,
        { spec: { databaseRoleReclaimPolicy: 'delete' } },
        args.dry_run,
      );
    }
    object = await deleteObject(ctx, 'databaseroles', namespace, objectName, args.dry_run);
    deleted.push(`databaserole/${objectName}`);
  } else {
    object = await patchManagedRole(
      ctx,
      namespace,
      args.cluster,
      args.name,
      (roles) =>
        args.drop
          ? roles.map((r) => {
              if (r.name !== args.name) return r;
              const { passwordSecret: _secret, ...rest } = r;
              return { ...rest, ensure: 'absent' as const };
            })
          : roles.filter((r) => r.name !== args.name),
      args.dry_run,
      !args.drop,
    );
    deleted.push(
      args.drop
        ? `managed role ${args.name} (ensure: absent)`
        : `managed role ${args.name} (no longer managed)`,
    );
  }
  const secret = view.config.passwordSecret?.name;
  if (secret && (await deleteOwnPasswordSecret(ctx, namespace, secret, args.name, args.dry_run))) {
    deleted.push(`secret/${secret}`);
  }
  const message = `role ${args.name} removed from ${namespace}/${args.cluster}${args.drop ? ' and dropped in PostgreSQL' : ' (kept in PostgreSQL, unmanaged)'}: ${deleted.join(', ')}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'deleted', args.dry_run, message, object),
      cluster: args.cluster,
      deleted,
    },
    text: say(args.dry_run, message),
  };
});
