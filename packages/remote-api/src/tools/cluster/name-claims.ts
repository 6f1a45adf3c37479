/**
 * What already names a cluster before it is created: objects that would act on a new cluster of
 * that name (so it would silently inherit them), and Poolers whose Services would take the names
 * of its Services. cluster_create refuses both; cluster_delete lists the first kind.
 */

import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { ownerOf, PolicyDenied } from '../../policy.js';
import type { ToolContext } from '../context.js';
import { KINDS, type KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { References } from '../framework/references.js';
import { CLUSTERS, namesOfCluster } from './model.js';

/**
 * Kinds whose objects name their cluster in `spec.cluster.name` and act on whichever cluster has
 * that name. Backups are not among them: they may outlive their cluster and stay their creator's.
 */
export const NAMING_KINDS = [
  'ScheduledBackup',
  'Pooler',
  'Database',
  'Publication',
  'Subscription',
  'DatabaseRole',
] as const;

export interface Listed {
  kind: (typeof NAMING_KINDS)[number] | 'Secret';
  object: KubeObject;
}

/** Secrets the operator makes for cluster X as `X-<suffix>`, and uses as they are when they already exist. */
const OPERATOR_SECRET_SUFFIXES = ['app', 'superuser', 'ca', 'server', 'replication', 'pooler'] as const;

/**
 * The operator's Secrets of the cluster about to be created, declared so the framework reads
 * them (Secrets are never listed: users may read a Secret by name, not list a namespace's).
 * Whose they are is judged by the create's plan, hence `ownership: 'policy'`.
 */
export function operatorSecretReferences<Args extends { name: string }>(): References<Args> {
  return Object.fromEntries(
    OPERATOR_SECRET_SUFFIXES.map((suffix) => [
      `${suffix}Secret`,
      {
        kind: 'Secret' as const,
        intent: 'use' as const,
        ownership: 'policy' as const,
        optional: true,
        role: `the cluster's ${suffix} secret`,
        name: (args: Args) => `${args.name}-${suffix}`,
      },
    ]),
  );
}

const operatorSecretsSeen = (seen: Readonly<Record<string, KubeObject | undefined>>): Listed[] =>
  OPERATOR_SECRET_SUFFIXES.flatMap((suffix) => {
    const object = seen[`${suffix}Secret`];
    return object ? [{ kind: 'Secret' as const, object }] : [];
  });

/** The cluster an object names in spec.cluster.name ('' when none). */
export function clusterNamedBy(object: KubeObject): string {
  const name = (object.spec?.cluster as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

/** Every object of the naming kinds in the namespace; a kind the operator does not serve has none. */
export async function listNamingObjects(kube: KubeReads, namespace: string): Promise<Listed[]> {
  const lists = await Promise.all(
    NAMING_KINDS.map(async (kind) => {
      const { group, version, plural } = KINDS[kind];
      try {
        const result = (await kube.custom.listNamespacedCustomObject(
          { group, version, plural, namespace },
          kube.options,
        )) as { items?: KubeObject[] };
        return (result.items ?? []).map((object) => ({ kind, object }));
      } catch (error) {
        const translated = translateKubeError(error);
        // DatabaseRole before CloudNativePG 1.30: the kind does not exist, so nothing of it names anything.
        if (translated?.kind === 'not_found') return [];
        throw translated ?? error;
      }
    }),
  );
  return lists.flat();
}

export const describeListed = ({ kind, object }: Listed): string => `${kind} ${object.metadata.name}`;

const whose = (object: KubeObject): string => {
  const owner = ownerOf(object);
  return `${owner ? `created by ${owner}` : 'made outside cnpg-mcp'}${object.metadata.deletionTimestamp ? ', being deleted' : ''}`;
};

export interface NameClaims {
  /** The cluster of that name when one exists (the create then fails with AlreadyExists). */
  existing: KubeObject | undefined;
  /** Objects of the naming kinds in the namespace. */
  neighbours: Listed[];
  /** The operator's Secrets for that name that exist. */
  secrets: Listed[];
}

/** The cluster of that name, when one exists (read as the caller, not declared: the call creates it). */
async function existingCluster(ctx: Pick<ToolContext, 'kube' | 'namespace'>, name: string) {
  try {
    return (await ctx.kube.custom.getNamespacedCustomObject(
      { ...CNPG, plural: CLUSTERS, namespace: ctx.namespace, name },
      ctx.kube.options,
    )) as KubeObject;
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') return undefined;
    throw translated ?? error;
  }
}

/**
 * What names the cluster `name` that a call is about to create (cluster_create, backup_restore):
 * the call must have declared operatorSecretReferences, which the framework read into `seen`.
 */
export async function readNameClaims(
  ctx: Pick<ToolContext, 'kube' | 'namespace' | 'seen'>,
  name: string,
): Promise<NameClaims> {
  const [existing, neighbours] = await Promise.all([
    existingCluster(ctx, name),
    listNamingObjects(ctx.kube, ctx.namespace),
  ]);
  return { existing, neighbours, secrets: operatorSecretsSeen(ctx.seen) };
}

/**
 * Refuses a new cluster `name` when (1) a Pooler already has one of its names (its Services would
 * take the cluster's), or (2) objects that name it are not the caller's: they would act on the new
 * cluster (a role with a password someone else knows, a Secret the operator would adopt as the
 * application's credentials). Objects owned by a cluster of that name that still exists are left
 * to Kubernetes' AlreadyExists.
 */
export function requireNameUnclaimed(name: string, claims: NameClaims, userId: string): void {
  const names = namesOfCluster(name);
  const capturing = claims.neighbours.filter(
    (listed) => listed.kind === 'Pooler' && names.includes(listed.object.metadata.name),
  );
  if (capturing.length > 0) {
    throw new PolicyDenied(
      'names',
      `cluster "${name}" would need the names ${names.join(', ')}, but ${capturing.map(describeListed).join(', ')} already ${capturing.length === 1 ? 'has' : 'have'} one (its Services would stand in for the cluster's); choose another cluster name`,
    );
  }
  const existingUid = claims.existing?.metadata.uid;
  const ownedByExisting = (object: KubeObject) =>
    existingUid !== undefined &&
    (object.metadata.ownerReferences ?? []).some((ref) => ref.uid === existingUid);
  const foreign = [
    ...claims.neighbours.filter((listed) => clusterNamedBy(listed.object) === name),
    ...claims.secrets,
  ].filter((listed) => ownerOf(listed.object) !== userId && !ownedByExisting(listed.object));
  if (foreign.length > 0) {
    throw new PolicyDenied(
      'dependents',
      `a new cluster "${name}" would take over objects that name it and are not yours: ${foreign
        .map((listed) => `${describeListed(listed)} (${whose(listed.object)})`)
        .join(', ')}; their creator or an admin must delete them first, or choose another name`,
    );
  }
}

/** The clusters of `clusters` one of whose names (namesOfCluster) is `name`. */
export function clustersNamed<T extends Pick<KubeObject, 'metadata'>>(
  name: string,
  clusters: readonly T[],
): T[] {
  return clusters.filter((cluster) => namesOfCluster(cluster.metadata.name).includes(name));
}

/**
 * Refuses a Pooler name that is an existing cluster's name or one of its Service names: the
 * Pooler's Service and Deployment take their names from the Pooler, so it would stand in for the
 * cluster's own. The other direction (a cluster whose names a Pooler holds) is requireNameUnclaimed.
 */
export function requirePoolerNameFree(name: string, clusters: readonly Pick<KubeObject, 'metadata'>[]): void {
  const [cluster] = clustersNamed(name, clusters);
  if (!cluster) return;
  const clusterName = cluster.metadata.name;
  const what =
    clusterName === name
      ? 'the name of a cluster'
      : `the name of a Service of cluster ${clusterName} (its Services are ${namesOfCluster(clusterName).slice(1).join(', ')})`;
  throw new PolicyDenied(
    'names',
    `name: "${name}" is ${what}; a pooler with it would stand in for the cluster's own, so a pooler needs another name`,
  );
}
