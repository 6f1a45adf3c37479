import { OWNER_LABEL } from '../../identity.js';
import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import type { RoleAttributes } from '../../policy.js';
import type { ClusterObject } from '../cluster/model.js';
import { appliedOf, type CnpgObject, listObjects, num, str } from '../common/objects.js';
import { ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';

export type RoleMode = 'DatabaseRole' | 'managed.roles';

/** A RoleConfiguration as CloudNativePG declares it (spec.managed.roles[] or a DatabaseRole spec). */
export interface RoleConfiguration {
  name: string;
  ensure?: 'present' | 'absent';
  comment?: string;
  login?: boolean;
  superuser?: boolean;
  createdb?: boolean;
  createrole?: boolean;
  replication?: boolean;
  bypassrls?: boolean;
  inherit?: boolean;
  connectionLimit?: number;
  validUntil?: string;
  inRoles?: string[];
  passwordSecret?: { name: string };
  disablePassword?: boolean;
  [field: string]: unknown;
}

/** One role of a cluster, wherever it is declared. */
export interface RoleView {
  source: RoleMode;
  config: RoleConfiguration;
  /** The DatabaseRole object, for source DatabaseRole. */
  object?: CnpgObject;
}

/**
 * True when the API server serves DatabaseRole (CloudNativePG 1.30+). Asked on every call: the
 * remote API keeps no state, and one discovery request is cheap next to the writes that follow.
 */
export async function databaseRoleAvailable(ctx: { kube: KubeReads }): Promise<boolean> {
  try {
    const list = await ctx.kube.custom.getAPIResources({ ...CNPG }, ctx.kube.options);
    return list.resources.some((r) => r.name === 'databaseroles');
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') return false;
    throw translated ?? error;
  }
}

export function managedRoles(cluster: ClusterObject): RoleConfiguration[] {
  const managed = cluster.spec?.managed as { roles?: RoleConfiguration[] } | undefined;
  return Array.isArray(managed?.roles) ? managed.roles : [];
}

/** The inline declaration of role `name` in the cluster's spec.managed.roles, if any. */
export function inlineRole(cluster: ClusterObject, name: string): RoleConfiguration | undefined {
  return managedRoles(cluster).find((role) => role.name === name);
}

/**
 * Role `name` of a cluster as the call observed it: its inline spec.managed.roles entry (which wins
 * on a name clash, as in CloudNativePG), else the DatabaseRole that declares it.
 */
export function declaredRole(
  name: string,
  cluster: ClusterObject,
  databaseRole: KubeObject | undefined,
): RoleView | undefined {
  const inline = inlineRole(cluster, name);
  if (inline) return { source: 'managed.roles', config: inline };
  const spec = databaseRole?.spec as RoleConfiguration | undefined;
  return databaseRole && spec?.name === name
    ? { source: 'DatabaseRole', config: spec, object: databaseRole as CnpgObject }
    : undefined;
}

export function roleNotDeclared(name: string, namespace: string, cluster: string): ToolFailure {
  return new ToolFailure(
    'not_found',
    `role "${name}" is not declared on cluster ${namespace}/${cluster}; role_list shows the declared roles`,
  );
}

/** Every role declared for a cluster; inline managed roles win on a name clash, as in CloudNativePG. */
export async function rolesOf(
  ctx: { kube: KubeReads },
  namespace: string,
  cluster: ClusterObject,
  withDatabaseRoles: boolean,
): Promise<RoleView[]> {
  const views: RoleView[] = managedRoles(cluster).map((config) => ({ source: 'managed.roles', config }));
  if (withDatabaseRoles) {
    const objects = await listObjects(ctx, 'databaseroles', namespace);
    for (const object of objects) {
      const spec = (object.spec ?? {}) as Partial<RoleConfiguration> & { cluster?: { name?: string } };
      if (spec.cluster?.name !== cluster.metadata.name || !spec.name) continue;
      if (views.some((v) => v.config.name === spec.name)) continue;
      views.push({ source: 'DatabaseRole', config: spec as RoleConfiguration, object });
    }
  }
  return views.sort((a, b) => a.config.name.localeCompare(b.config.name));
}

interface ManagedRolesStatus {
  byStatus?: Record<string, string[]>;
  cannotReconcile?: Record<string, string[]>;
}

export function managedRolesStatus(cluster: ClusterObject): ManagedRolesStatus {
  return (cluster.status?.managedRolesStatus as ManagedRolesStatus | undefined) ?? {};
}

/** Applied state and errors of one role. */
export function roleState(
  view: RoleView,
  cluster: ClusterObject,
): { applied: boolean | null; errors: string[] } {
  if (view.source === 'DatabaseRole') {
    const status = view.object?.status;
    const message = str(status?.message);
    return { applied: appliedOf(status), errors: message ? [message] : [] };
  }
  const status = managedRolesStatus(cluster);
  const errors = status.cannotReconcile?.[view.config.name] ?? [];
  const by = status.byStatus ?? {};
  if (errors.length || by['pending-reconciliation']?.includes(view.config.name))
    return { applied: false, errors };
  if (by.reconciled?.includes(view.config.name)) return { applied: true, errors };
  return { applied: null, errors };
}

export function summarizeRole(view: RoleView, cluster: ClusterObject) {
  const c = view.config;
  const state = roleState(view, cluster);
  const reclaim = view.object?.spec?.databaseRoleReclaimPolicy;
  return {
    name: c.name,
    source: view.source,
    objectName: view.object?.metadata.name ?? cluster.metadata.name,
    ensure: c.ensure ?? 'present',
    login: c.login ?? false,
    superuser: c.superuser ?? false,
    createdb: c.createdb ?? false,
    createrole: c.createrole ?? false,
    replication: c.replication ?? false,
    bypassrls: c.bypassrls ?? false,
    inherit: c.inherit ?? true,
    connectionLimit: num(c.connectionLimit, -1),
    validUntil: str(c.validUntil),
    inRoles: Array.isArray(c.inRoles) ? c.inRoles : [],
    comment: str(c.comment),
    passwordSecret: str(c.passwordSecret?.name),
    disablePassword: c.disablePassword ?? false,
    reclaimPolicy: view.source === 'DatabaseRole' ? str(reclaim) || 'retain' : '',
    applied: state.applied,
    message: state.errors.join('; '),
    owner:
      view.source === 'DatabaseRole'
        ? (view.object?.metadata.labels?.[OWNER_LABEL] ?? '')
        : (cluster.metadata.labels?.[OWNER_LABEL] ?? ''),
  };
}

/** The role attributes a role_create or role_update call may set. */
export interface RoleFlagArgs {
  login?: boolean | undefined;
  superuser?: boolean | undefined;
  createdb?: boolean | undefined;
  createrole?: boolean | undefined;
  replication?: boolean | undefined;
  bypassrls?: boolean | undefined;
  inherit?: boolean | undefined;
  connection_limit?: number | undefined;
  valid_until?: string | null | undefined;
  in_roles?: string[] | undefined;
  comment?: string | undefined;
}

/** What the policy's roleAttributes rule judges, of the attributes the call sets. */
export function requestedAttributes(args: RoleFlagArgs): RoleAttributes {
  const attributes: RoleAttributes = {};
  for (const flag of ['superuser', 'replication', 'bypassrls', 'createrole', 'createdb', 'login'] as const) {
    const value = args[flag];
    if (value !== undefined) attributes[flag] = value;
  }
  if (args.in_roles !== undefined) attributes.inRoles = args.in_roles;
  return attributes;
}

/** RoleConfiguration flags from tool arguments (only the ones given). */
export function roleFlags(args: RoleFlagArgs): Record<string, unknown> {
  const flags: Record<string, unknown> = {
    login: args.login,
    superuser: args.superuser,
    createdb: args.createdb,
    createrole: args.createrole,
    replication: args.replication,
    bypassrls: args.bypassrls,
    inherit: args.inherit,
    connectionLimit: args.connection_limit,
    validUntil: args.valid_until,
    inRoles: args.in_roles,
    comment: args.comment,
  };
  for (const key of Object.keys(flags)) if (flags[key] === undefined) delete flags[key];
  return flags;
}
