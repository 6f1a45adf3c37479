import { OWNER_LABEL } from '../../identity.js';
import type { ClusterObject } from '../cluster/model.js';
import {
  appliedOf,
  type CnpgObject,
  type CnpgPlural,
  clusterOf,
  listObjects,
  str,
} from '../common/objects.js';
import { ToolFailure } from '../context.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Observed, ReferenceSpec } from '../framework/references.js';

/** Publications and Subscriptions: declared per cluster, named `<cluster>-<name>`, found by spec.name. */
export type LogicalKind = 'Publication' | 'Subscription';

const LOGICAL: Record<LogicalKind, { noun: string; plural: CnpgPlural; reclaim: string }> = {
  Publication: { noun: 'publication', plural: 'publications', reclaim: 'publicationReclaimPolicy' },
  Subscription: { noun: 'subscription', plural: 'subscriptions', reclaim: 'subscriptionReclaimPolicy' },
};

/** "publication" or "subscription", for messages. */
export const nounOf = (kind: LogicalKind): string => LOGICAL[kind].noun;
/** The spec field of the kind's reclaim policy. */
export const reclaimFieldOf = (kind: LogicalKind): string => LOGICAL[kind].reclaim;

/** The kind's objects in the namespace, optionally of one cluster, by cluster and PostgreSQL name. */
export async function logicalObjectsOf(
  ctx: { kube: KubeReads },
  kind: LogicalKind,
  namespace: string,
  cluster?: string,
): Promise<CnpgObject[]> {
  return (await listObjects(ctx, LOGICAL[kind].plural, namespace))
    .filter((o) => !cluster || clusterOf(o) === cluster)
    .sort(
      (a, b) =>
        clusterOf(a).localeCompare(clusterOf(b)) || str(a.spec?.name).localeCompare(str(b.spec?.name)),
    );
}

/** The object of `objects` that declares `name` on `cluster`. */
export function logicalDeclaring(
  objects: readonly CnpgObject[],
  cluster: string,
  name: string,
): CnpgObject | undefined {
  return objects.find((o) => clusterOf(o) === cluster && o.spec?.name === name);
}

/** The fields publications and subscriptions share in their summaries. */
export function logicalSummary(kind: LogicalKind, object: CnpgObject) {
  const spec = object.spec ?? {};
  return {
    objectName: object.metadata.name,
    cluster: clusterOf(object),
    name: str(spec.name),
    database: str(spec.dbname),
    reclaimPolicy: str(spec[LOGICAL[kind].reclaim]) || 'retain',
    applied: appliedOf(object.status),
    message: str(object.status?.message),
    owner: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

/** Whether the instance manager applied it, for lists. */
export const appliedState = (applied: boolean | null, message: string): string =>
  applied === true
    ? 'applied'
    : applied === false
      ? `NOT applied${message ? `: ${message}` : ''}`
      : 'pending';

interface LogicalArgs {
  cluster: string;
  name: string;
}

/** The cluster the publication or subscription lives in: the `cluster` argument, used (owned by the caller). */
export function logicalCluster<Args extends { cluster: string }>(): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent: 'use',
    role: 'the cluster of the publication or subscription',
    name: (args) => args.cluster,
    hint: 'cluster_list shows what exists',
  };
}

/**
 * The object that declares `name` on the observed cluster, changed (found through the list: any
 * object name may declare it); absent when none does, and the plan says so.
 */
export function declaredLogical<Args extends LogicalArgs>(
  kind: LogicalKind,
  role: string,
): ReferenceSpec<Args> {
  return {
    kind,
    intent: 'change',
    optional: true,
    role,
    name: async (args, seen: Observed, kube) => {
      const cluster = seen.cluster as ClusterObject | undefined;
      if (!cluster) return undefined;
      const objects = await logicalObjectsOf({ kube }, kind, cluster.metadata.namespace ?? '', args.cluster);
      return logicalDeclaring(objects, args.cluster, args.name)?.metadata.name;
    },
  };
}

/** Refuses a second object declaring the same PostgreSQL name on the cluster. */
export function requireNotDeclared(
  kind: LogicalKind,
  existing: readonly CnpgObject[],
  args: LogicalArgs,
  namespace: string,
): void {
  const declared = logicalDeclaring(existing, args.cluster, args.name);
  if (declared) {
    throw new ToolFailure(
      'precondition',
      `${nounOf(kind)} "${args.name}" is already declared on ${namespace}/${args.cluster} by ${declared.metadata.name}`,
    );
  }
}
