import type { ClusterObject } from '../cluster/model.js';
import { derivedName } from '../common/objects.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Intent, Observed, ReferenceSpec, References } from '../framework/references.js';
import { databaseRoleAvailable, declaredRole, inlineRole, type RoleMode, rolesOf } from './model.js';
import { passwordSecretName } from './secret.js';

/**
 * What the role tools declare. Every role tool names its cluster (`cluster`: read, or used and
 * owned); where the role is, or will be, an entry of the cluster's spec.managed.roles (CloudNativePG
 * 1.29, or a role declared inline) the same Cluster is declared changed (`managedRoles`); where a
 * DatabaseRole declares it, that object (`role`); and the password Secret.
 */

interface RoleArgs {
  cluster: string;
  name: string;
}

const CLUSTER_HINT = 'cluster_list shows what exists';

const modes = new WeakMap<object, Promise<RoleMode>>();

/**
 * Where a new role goes: a DatabaseRole where the API server serves the kind (CloudNativePG 1.30+),
 * else spec.managed.roles. Asked once per call (the references and `run` share the answer).
 */
export function newRoleMode(args: object, kube: KubeReads): Promise<RoleMode> {
  let mode = modes.get(args);
  if (mode === undefined) {
    mode = databaseRoleAvailable({ kube }).then((available) =>
      available ? 'DatabaseRole' : 'managed.roles',
    );
    modes.set(args, mode);
  }
  return mode;
}

const observedCluster = (seen: Observed) => seen.cluster as ClusterObject | undefined;

/** The cluster of the role: `read` by role_list and role_get, `use`d (and owned) by the write tools. */
export function roleCluster<Args extends { cluster: string }>(
  intent: Extract<Intent, 'use' | 'read'>,
): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent,
    role: 'the cluster of the role',
    name: (args) => args.cluster,
    hint: CLUSTER_HINT,
  };
}

/** The same Cluster, changed, when the call rewrites its spec.managed.roles (`applies` decides). */
function managedRolesCluster<Args extends { cluster: string }>(
  applies: (args: Args, seen: Observed, kube: KubeReads) => boolean | Promise<boolean>,
): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent: 'change',
    role: 'the cluster whose spec.managed.roles declares the role',
    name: async (args, seen, kube) => ((await applies(args, seen, kube)) ? args.cluster : undefined),
    hint: CLUSTER_HINT,
  };
}

/** The DatabaseRole object that declares role `args.name` of the observed cluster, unless it is declared inline. */
async function databaseRoleName(args: RoleArgs, seen: Observed, kube: KubeReads) {
  const cluster = observedCluster(seen);
  if (!cluster || inlineRole(cluster, args.name)) return undefined;
  const reads = { kube };
  if (!(await databaseRoleAvailable(reads))) return undefined;
  const views = await rolesOf(reads, cluster.metadata.namespace ?? '', cluster, true);
  return views.find((view) => view.source === 'DatabaseRole' && view.config.name === args.name)?.object
    ?.metadata.name;
}

/** The password Secret the role's declaration names, as observed. */
export function declaredSecretName(args: RoleArgs, seen: Observed): string | undefined {
  const cluster = observedCluster(seen);
  return cluster ? declaredRole(args.name, cluster, seen.role)?.config.passwordSecret?.name : undefined;
}

/** role_create: the cluster used, its managed roles or a new DatabaseRole, and the new password Secret. */
export function newRoleReferences<Args extends RoleArgs & { disable_password: boolean }>(): References<Args> {
  return {
    cluster: roleCluster<Args>('use'),
    managedRoles: managedRolesCluster<Args>(
      async (args, _seen, kube) => (await newRoleMode(args, kube)) === 'managed.roles',
    ),
    role: {
      kind: 'DatabaseRole',
      intent: 'create',
      role: 'the new DatabaseRole',
      name: async (args, _seen, kube) =>
        (await newRoleMode(args, kube)) === 'DatabaseRole' ? derivedName(args.cluster, args.name) : undefined,
    },
    secret: {
      kind: 'Secret',
      intent: 'create',
      role: 'the password Secret of the new role',
      name: (args) => (args.disable_password ? undefined : passwordSecretName(args.cluster, args.name)),
    },
  };
}

/** The DatabaseRole that declares an existing role, when one does (not an inline managed role). */
function declaringDatabaseRole<Args extends RoleArgs>(intent: 'change' | 'read'): ReferenceSpec<Args> {
  return {
    kind: 'DatabaseRole',
    intent,
    optional: true,
    role: 'the DatabaseRole that declares the role',
    name: databaseRoleName,
  };
}

/** role_get: the cluster and the DatabaseRole that declares the role, read. */
export function readRoleReferences<Args extends RoleArgs>(): References<Args> {
  return { cluster: roleCluster<Args>('read'), role: declaringDatabaseRole<Args>('read') };
}

/**
 * A call that changes an existing role: its cluster (used), the same Cluster changed when the
 * role is an entry of its spec.managed.roles, and the DatabaseRole that declares it (changed).
 */
export function changedRoleReferences<Args extends RoleArgs>(): References<Args> {
  return {
    cluster: roleCluster<Args>('use'),
    managedRoles: managedRolesCluster<Args>((args, seen) => {
      const cluster = observedCluster(seen);
      return cluster !== undefined && inlineRole(cluster, args.name) !== undefined;
    }),
    role: declaringDatabaseRole<Args>('change'),
  };
}
