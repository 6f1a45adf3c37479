import { roleDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { Identity } from '../../identity.js';
import { type Access, PolicyDenied, requireOwnership } from '../../policy.js';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { mutation, requireConfirmation } from '../cluster/ops.js';
import { type CnpgObject, say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { withChangedRole, writeManagedRoles } from './managed-roles.js';
import {
  declaredRole,
  managedRoles,
  type RoleConfiguration,
  type RoleView,
  roleNotDeclared,
} from './model.js';
import { changedRoleReferences, declaredSecretName } from './references.js';
import { isPasswordSecretOf } from './secret.js';

type Args = z.output<typeof roleDelete.inputSchema>;

export type RoleDeletePlan = {
  /** The password Secret to delete with the role: only one cnpg-mcp made for it that the caller may change. */
  secret?: string;
} & (
  | { source: 'DatabaseRole'; object: string; setReclaimDelete: boolean }
  | { source: 'managed.roles'; edit: (cluster: ClusterObject) => RoleConfiguration[]; removed: string }
);

function mayChange(access: Access, identity: Identity, object: KubeObject): boolean {
  try {
    requireOwnership(access, identity, object, 'the password Secret');
    return true;
  } catch (error) {
    if (error instanceof PolicyDenied) return false;
    throw error;
  }
}

/**
 * Pure: once `confirm` repeats the role name, what goes: the DatabaseRole (its reclaim policy set to
 * delete first when `drop`), or the managed entry (marked ensure: absent when `drop`, else no longer
 * managed); and the password Secret when cnpg-mcp made it for this role and the caller may change
 * it (a Secret made otherwise stays, as before).
 */
export function planRoleDelete(
  args: Args,
  seen: { view: RoleView | undefined; secret: KubeObject | undefined; namespace: string },
  caller: { access: Access; identity: Identity },
): RoleDeletePlan {
  requireConfirmation(args.confirm, args.name, 'role name');
  const { view, secret } = seen;
  if (!view) throw roleNotDeclared(args.name, seen.namespace, args.cluster);
  const secretGoes =
    secret !== undefined &&
    isPasswordSecretOf(secret, args.name) &&
    mayChange(caller.access, caller.identity, secret);
  const secretPart = secretGoes ? { secret: secret.metadata.name } : {};
  if (view.source === 'DatabaseRole' && view.object) {
    return {
      ...secretPart,
      source: 'DatabaseRole',
      object: view.object.metadata.name,
      setReclaimDelete: args.drop && view.object.spec?.databaseRoleReclaimPolicy !== 'delete',
    };
  }
  return {
    ...secretPart,
    source: 'managed.roles',
    removed: args.drop
      ? `managed role ${args.name} (ensure: absent)`
      : `managed role ${args.name} (no longer managed)`,
    edit: (cluster) =>
      args.drop
        ? withChangedRole(cluster, args.name, ({ passwordSecret: _secret, ...rest }) => ({
            ...rest,
            ensure: 'absent',
          }))
        : managedRoles(cluster).filter((role) => role.name !== args.name),
  };
}

export const roleDeleteTool = defineTool({
  definition: roleDelete,
  references: {
    ...changedRoleReferences<Args>(),
    secret: {
      kind: 'Secret',
      intent: 'change',
      optional: true,
      // Deleted only when cnpg-mcp made it for this role and the caller may change it: the plan decides.
      ownership: 'policy',
      role: 'the password Secret of the role',
      name: declaredSecretName,
    },
  },
  async run(args, ctx) {
    const view = declaredRole(args.name, seenCluster(ctx.seen), ctx.seen.role);
    const plan = planRoleDelete(args, { view, secret: ctx.seen.secret, namespace: ctx.namespace }, ctx);
    const deleted: string[] = [];
    let object: CnpgObject | ClusterObject | undefined;
    if (plan.source === 'DatabaseRole') {
      if (plan.setReclaimDelete) {
        await ctx.write.patch('DatabaseRole', plan.object, { spec: { databaseRoleReclaimPolicy: 'delete' } });
      }
      object = await ctx.write.delete('DatabaseRole', plan.object);
      deleted.push(`databaserole/${plan.object}`);
    } else {
      object = await writeManagedRoles(ctx, args.cluster, plan.edit);
      deleted.push(plan.removed);
    }
    if (plan.secret) {
      await ctx.write.delete('Secret', plan.secret);
      deleted.push(`secret/${plan.secret}`);
    }
    const message = `role ${args.name} removed from ${ctx.namespace}/${args.cluster}${args.drop ? ' and dropped in PostgreSQL' : ' (kept in PostgreSQL, unmanaged)'}: ${deleted.join(', ')}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'deleted', args.dry_run, message, object),
        cluster: args.cluster,
        deleted,
      },
      text: say(args.dry_run, message),
    };
  },
});
