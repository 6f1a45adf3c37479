import { roleUpdate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Access, requireRoleAttributesAllowed } from '../../policy.js';
import { seenCluster } from '../cluster/model.js';
import { mutation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import { type RoleChange, writeRoleChange } from './managed-roles.js';
import {
  declaredRole,
  type RoleConfiguration,
  type RoleView,
  requestedAttributes,
  roleFlags,
  roleNotDeclared,
} from './model.js';
import { changedRoleReferences } from './references.js';

type Args = z.output<typeof roleUpdate.inputSchema>;

/**
 * Pure: the change to a declared role, or a refusal: the role must be declared, at least one
 * attribute given, and what is given must pass the policy's roleAttributes rule (no granting
 * superuser, replication, bypassrls, createrole or a dangerous membership without an admin).
 */
export function planRoleUpdate(
  args: Args,
  view: RoleView | undefined,
  namespace: string,
  access: Access,
): { view: RoleView; changed: string[]; change: RoleChange } {
  if (!view) throw roleNotDeclared(args.name, namespace, args.cluster);
  const flags = roleFlags(args);
  const changed = Object.keys(flags);
  if (changed.length === 0) {
    throw new ToolFailure('invalid_input', '(arguments): give at least one attribute to change');
  }
  requireRoleAttributesAllowed(access, requestedAttributes(args));
  return {
    view,
    changed,
    change: {
      spec: flags,
      entry: (role) => {
        const next = { ...role, ...flags } as RoleConfiguration;
        if (flags.validUntil === null) delete next.validUntil;
        return next;
      },
    },
  };
}

export const roleUpdateTool = defineTool({
  definition: roleUpdate,
  references: changedRoleReferences<Args>(),
  async run(args, ctx) {
    const declared = declaredRole(args.name, seenCluster(ctx.seen), ctx.seen.role);
    const { view, changed, change } = planRoleUpdate(args, declared, ctx.namespace, ctx.access);
    const object = await writeRoleChange(ctx, view, args, change);
    const message = `role ${args.name} on ${ctx.namespace}/${args.cluster} updated: ${changed.join(', ')}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'updated', args.dry_run, message, object),
        cluster: args.cluster,
        mode: view.source,
        changed,
      },
      text: say(args.dry_run, message),
    };
  },
});
