import { OWNER_LABEL } from '../../identity.js';
import { appliedOf, type CnpgObject, clusterOf, listObjects, str } from '../common/objects.js';
import type { LegacyToolContext } from '../context.js';
import { ToolFailure } from '../context.js';

/** Database objects of a namespace, optionally of one cluster, sorted by cluster and name. */
export async function databasesOf(
  ctx: LegacyToolContext,
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

/** The Database object declaring PostgreSQL database `name` on `cluster`. */
export async function findDatabase(
  ctx: LegacyToolContext,
  namespace: string,
  cluster: string,
  name: string,
): Promise<CnpgObject> {
  const found = (await databasesOf(ctx, namespace, cluster)).find((d) => d.spec?.name === name);
  if (!found) {
    throw new ToolFailure(
      'not_found',
      `no Database object declares database "${name}" on cluster ${namespace}/${cluster}; database_list shows what exists`,
    );
  }
  return found;
}

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
