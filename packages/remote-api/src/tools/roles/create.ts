import { roleCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Access, requireRoleAttributesAllowed } from '../../policy.js';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { getCluster, mutation } from '../cluster/ops.js';
import { type CnpgObject, derivedName, say } from '../common/objects.js';
import { waitApplied, waitSummary } from '../common/wait.js';
import { defineTool, ToolFailure } from '../context.js';
import { withManagedRole, writeManagedRoles } from './managed-roles.js';
import {
  type RoleConfiguration,
  type RoleMode,
  type RoleView,
  requestedAttributes,
  roleFlags,
  roleState,
  rolesOf,
} from './model.js';
import { newRoleMode, newRoleReferences } from './references.js';
import { generatePassword, passwordSecretBody, passwordSecretName } from './secret.js';

type Args = z.output<typeof roleCreate.inputSchema>;

export interface RoleCreatePlan {
  mode: RoleMode;
  /** The role as declared (the spec.managed.roles entry). */
  config: RoleConfiguration;
  /** The Secret the password is generated into; '' when the password is disabled. */
  secretName: string;
  /** The DatabaseRole to create, in DatabaseRole mode. */
  databaseRole?: Record<string, unknown>;
}

/**
 * Pure: the role to declare and its password Secret, or a refusal: a client certificate needs
 * login (and a DatabaseRole), the attributes must pass the policy's roleAttributes rule, and the
 * role must not be declared on the cluster yet (`existing`).
 */
export function planRoleCreate(
  args: Args,
  seen: { mode: RoleMode; existing: readonly RoleView[]; namespace: string },
  access: Access,
): RoleCreatePlan {
  if (args.client_certificate && !args.login) {
    throw new ToolFailure('invalid_input', 'client_certificate: a client certificate needs login=true');
  }
  requireRoleAttributesAllowed(access, requestedAttributes(args));
  if (seen.mode === 'managed.roles' && args.client_certificate) {
    throw new ToolFailure(
      'invalid_input',
      'client_certificate: needs the DatabaseRole resource (CloudNativePG 1.30+), which this cluster’s operator does not serve',
    );
  }
  if (seen.existing.some((view) => view.config.name === args.name)) {
    throw new ToolFailure(
      'precondition',
      `role "${args.name}" is already declared on cluster ${seen.namespace}/${args.cluster}; use role_update`,
    );
  }
  const secretName = args.disable_password ? '' : passwordSecretName(args.cluster, args.name);
  const config: RoleConfiguration = {
    name: args.name,
    ensure: 'present',
    ...roleFlags(args),
    ...(secretName ? { passwordSecret: { name: secretName } } : { disablePassword: true }),
  };
  if (seen.mode === 'managed.roles') return { mode: seen.mode, config, secretName };
  const { ensure: _present, ...spec } = config;
  return {
    mode: seen.mode,
    config,
    secretName,
    databaseRole: {
      metadata: {
        name: derivedName(args.cluster, args.name),
        labels: { 'cnpg.io/cluster': args.cluster },
      },
      spec: {
        ...spec,
        cluster: { name: args.cluster },
        databaseRoleReclaimPolicy: args.reclaim_policy,
        ...(args.client_certificate ? { clientCertificate: { enabled: true } } : {}),
      },
    },
  };
}

export const roleCreateTool = defineTool({
  definition: roleCreate,
  references: newRoleReferences<Args>(),
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const mode = await newRoleMode(args, ctx.kube);
    const existing = await rolesOf(ctx, namespace, seenCluster(ctx.seen), mode === 'DatabaseRole');
    const plan = planRoleCreate(args, { mode, existing, namespace }, ctx.access);
    if (plan.secretName) {
      // The answer carries the password: it is deliberately dropped.
      await ctx.write.create(
        'Secret',
        passwordSecretBody(plan.secretName, args.cluster, args.name, generatePassword(args.password_length)),
      );
    }
    let object: CnpgObject | ClusterObject;
    try {
      object = plan.databaseRole
        ? await ctx.write.create('DatabaseRole', plan.databaseRole)
        : await writeManagedRoles(ctx, args.cluster, (cluster) => withManagedRole(cluster, plan.config));
    } catch (error) {
      // Roll back the Secret so a failed create leaves nothing behind.
      if (plan.secretName && !args.dry_run) await ctx.write.delete('Secret', plan.secretName).catch(() => {});
      throw error;
    }
    const message = `role ${args.name} declared on ${namespace}/${args.cluster} (${mode})${plan.secretName ? `; password generated into Secret ${plan.secretName}` : '; password disabled'}`;
    const base = {
      ...mutation(namespace, args.name, 'created', args.dry_run, message, object),
      cluster: args.cluster,
      mode,
      passwordSecret: plan.secretName,
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
    return {
      structured: { ...base, message: summary, applied: result.applied, waited: true },
      text: summary,
    };
  },
});
