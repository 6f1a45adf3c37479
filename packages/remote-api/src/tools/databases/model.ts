import { OWNER_LABEL } from '../../identity.js';
import type { ClusterObject } from '../cluster/model.js';
import { appliedOf, type CnpgObject, clusterOf, listObjects, str } from '../common/objects.js';
import { ToolFailure } from '../context.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Intent, Observed, ReferenceSpec } from '../framework/references.js';

/** Database objects of a namespace, optionally of one cluster, sorted by cluster and name. */
export async function databasesOf(
  ctx: { kube: KubeReads },
  namespace: string,
  cluster?: string,
): Promise<CnpgObject[]> {
  const all = await listObjects(ctx, 'databases', namespace);
  return all
    .filter((d) => !cluster || clusterOf(d) === cluster)
    .sort(
      (a, b) =>
        clusterOf(a).localeCompare(clusterOf(b)) || str(a.spec?.name).localeCompare(str(b.spec?.name)),
    );
}

/** The Database object of `objects` that declares PostgreSQL database `name` on `cluster`. */
export function databaseDeclaring(
  objects: readonly CnpgObject[],
  cluster: string,
  name: string,
): CnpgObject | undefined {
  return objects.find((d) => clusterOf(d) === cluster && d.spec?.name === name);
}

export function databaseNotDeclared(name: string, namespace: string, cluster: string): ToolFailure {
  return new ToolFailure(
    'not_found',
    `no Database object declares database "${name}" on cluster ${namespace}/${cluster}; database_list shows what exists`,
  );
}

interface DatabaseArgs {
  cluster: string;
  name: string;
}

/** The cluster of the database: `read` by database_get, `use`d (and owned) by the write tools. */
export function databaseCluster<Args extends DatabaseArgs>(
  intent: Extract<Intent, 'use' | 'read'>,
): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent,
    role: 'the cluster of the database',
    name: (args) => args.cluster,
    hint: 'cluster_list shows what exists',
  };
}

/**
 * The Database object that declares the database on the observed cluster (found through the list:
 * any object name may declare it); absent when none does, and the plan says so.
 */
export function declaredDatabase<Args extends DatabaseArgs>(
  intent: Extract<Intent, 'change' | 'read'>,
): ReferenceSpec<Args> {
  return {
    kind: 'Database',
    intent,
    optional: true,
    role: 'the Database object that declares the database',
    name: async (args, seen: Observed, kube) => {
      const cluster = seen.cluster as ClusterObject | undefined;
      if (!cluster) return undefined;
      const objects = await databasesOf({ kube }, cluster.metadata.namespace ?? '', args.cluster);
      return databaseDeclaring(objects, args.cluster, args.name)?.metadata.name;
    },
  };
}

/** How far the instance manager got with an object (or one of its extensions or schemas). */
export const appliedState = (applied: boolean | null, message: string) =>
  applied === true
    ? 'applied'
    : applied === false
      ? `NOT applied${message ? `: ${message}` : ''}`
      : 'pending';

export function summarizeDatabase(object: CnpgObject) {
  const spec = object.spec ?? {};
  return {
    objectName: object.metadata.name,
    cluster: clusterOf(object),
    name: str(spec.name),
    owner: str(spec.owner),
    ensure: str(spec.ensure) || 'present',
    reclaimPolicy: str(spec.databaseReclaimPolicy) || 'retain',
    applied: appliedOf(object.status),
    message: str(object.status?.message),
    createdBy: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

export interface NamedEntry {
  name: string;
  [field: string]: unknown;
}

/** Merges entries by name: a given entry replaces the declared one with the same name, new ones are appended. */
export function mergeByName(current: NamedEntry[], changes: NamedEntry[]): NamedEntry[] {
  const merged = current.map((entry) => changes.find((c) => c.name === entry.name) ?? entry);
  for (const change of changes) if (!current.some((c) => c.name === change.name)) merged.push(change);
  return merged;
}

/** Refuses the same name twice in one list, naming the field. */
export function refuseDuplicates(field: string, entries: { name: string }[] | undefined): void {
  const seen = new Set<string>();
  for (const [i, entry] of (entries ?? []).entries()) {
    if (seen.has(entry.name))
      throw new ToolFailure('invalid_input', `${field}.${i}.name: "${entry.name}" is listed twice`);
    seen.add(entry.name);
  }
}

/** CNPG spelling of extension and schema entries, without undefined fields. */
export function extensionEntries(
  list: { name: string; version?: string | undefined; schema?: string | undefined; ensure: string }[],
) {
  return list.map((e) => ({
    name: e.name,
    ensure: e.ensure,
    ...(e.version ? { version: e.version } : {}),
    ...(e.schema ? { schema: e.schema } : {}),
  }));
}

export function schemaEntries(list: { name: string; owner?: string | undefined; ensure: string }[]) {
  return list.map((s) => ({ name: s.name, ensure: s.ensure, ...(s.owner ? { owner: s.owner } : {}) }));
}
