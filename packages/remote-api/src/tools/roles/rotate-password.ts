import { roleRotatePassword } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { mutation } from '../cluster/ops.js';
import { type CnpgObject, say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { type RoleChange, writeRoleChange } from './managed-roles.js';
import { declaredRole, type RoleView, roleNotDeclared } from './model.js';
import { changedRoleReferences, declaredSecretName } from './references.js';
import { generatePassword, newPasswordPatch, passwordSecretBody, passwordSecretName } from './secret.js';

type Args = z.output<typeof roleRotatePassword.inputSchema>;

export type RotatePlan =
  | { view: RoleView; secretName: string; create: false }
  /** The role has no password Secret yet: create one and point the role at it. */
  | { view: RoleView; secretName: string; create: true; change: RoleChange };

/**
 * Pure: where the new password goes. A role whose Secret exists gets a new password in it; a role
 * without one (password disabled, or its Secret gone) gets a new Secret, and its declaration is
 * changed to use it.
 */
export function planRotatePassword(
  args: Args,
  view: RoleView | undefined,
  secret: KubeObject | undefined,
  namespace: string,
): RotatePlan {
  if (!view) throw roleNotDeclared(args.name, namespace, args.cluster);
  const declared = view.config.passwordSecret?.name;
  if (declared && secret) return { view, secretName: declared, create: false };
  const secretName = declared ?? passwordSecretName(args.cluster, args.name);
  return {
    view,
    secretName,
    create: true,
    change: {
      spec: { passwordSecret: { name: secretName }, disablePassword: null },
      entry: ({ disablePassword: _disabled, ...rest }) => ({ ...rest, passwordSecret: { name: secretName } }),
    },
  };
}

export const roleRotatePasswordTool = defineTool({
  definition: roleRotatePassword,
  references: {
    ...changedRoleReferences<Args>(),
    secret: {
      kind: 'Secret',
      intent: 'change',
      optional: true,
      role: 'the password Secret of the role',
      name: declaredSecretName,
    },
    newSecret: {
      kind: 'Secret',
      intent: 'create',
      role: 'the new password Secret of the role',
      name: (args, seen) => {
        const cluster = seen.cluster as ClusterObject | undefined;
        const view = cluster && declaredRole(args.name, cluster, seen.role);
        if (!view || seen.secret) return undefined;
        return view.config.passwordSecret?.name ?? passwordSecretName(args.cluster, args.name);
      },
    },
  },
  async run(args, ctx) {
    const declared = declaredRole(args.name, seenCluster(ctx.seen), ctx.seen.role);
    const plan = planRotatePassword(args, declared, ctx.seen.secret, ctx.namespace);
    const password = generatePassword(args.password_length);
    let object: CnpgObject | ClusterObject | undefined;
    // The answers carry the password: they are deliberately dropped.
    if (!plan.create) {
      await ctx.write.patch('Secret', plan.secretName, newPasswordPatch(password));
    } else {
      await ctx.write.create(
        'Secret',
        passwordSecretBody(plan.secretName, args.cluster, args.name, password),
      );
      try {
        object = await writeRoleChange(ctx, plan.view, args, plan.change);
      } catch (error) {
        if (!args.dry_run) await ctx.write.delete('Secret', plan.secretName).catch(() => {});
        throw error;
      }
    }
    const message = `new password for role ${args.name} on ${ctx.namespace}/${args.cluster} written to Secret ${plan.secretName}; the operator applies it (cnpg.io/reload)`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'password-rotated', args.dry_run, message, object),
        cluster: args.cluster,
        passwordSecret: plan.secretName,
      },
      text: say(args.dry_run, message),
    };
  },
});
