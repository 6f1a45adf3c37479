/**
 * Field ownership for server-side apply, stored in metadata.managedFields as FieldsV1. Lists are
 * atomic (the CRD default), so a leaf is a scalar, a list or an empty map.
 */
import {
  deepClone,
  deepEqual,
  isPlainObject,
  type JsonObject,
  type KubeObject,
  type ManagedFieldsEntry,
} from '../types.js';

type Path = string[];
const METADATA_OWNED = new Set(['labels', 'annotations', 'finalizers', 'ownerReferences']);

function leaves(value: unknown, prefix: Path, out: Map<string, unknown>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...prefix, k], out);
  } else {
    out.set(JSON.stringify(prefix), value);
  }
}

/** Leaf paths of the parts of an object that field management tracks. */
export function ownedLeaves(obj: Record<string, unknown>, subresource?: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata') {
      for (const [mk, mv] of Object.entries(isPlainObject(value) ? value : {})) {
        if (METADATA_OWNED.has(mk)) leaves(mv, ['metadata', mk], out);
      }
      continue;
    }
    if ((key === 'status') !== (subresource === 'status')) continue;
    leaves(value, [key], out);
  }
  return out;
}

function encode(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  for (const encoded of paths) {
    let node = root;
    for (const segment of JSON.parse(encoded) as Path) {
      const key = `f:${segment}`;
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as JsonObject;
    }
  }
  return root;
}

function decode(fields: unknown, prefix: Path, out: Set<string>): void {
  const entries = isPlainObject(fields) ? Object.entries(fields).filter(([k]) => k.startsWith('f:')) : [];
  if (entries.length === 0) {
    if (prefix.length > 0) out.add(JSON.stringify(prefix));
    return;
  }
  for (const [k, v] of entries) decode(v, [...prefix, k.slice(2)], out);
}

function ownedBy(entry: ManagedFieldsEntry): Set<string> {
  const out = new Set<string>();
  decode(entry.fieldsV1, [], out);
  return out;
}

function withPaths(entry: ManagedFieldsEntry, paths: Set<string>): ManagedFieldsEntry | undefined {
  return paths.size === 0 ? undefined : { ...entry, fieldsV1: encode(paths) };
}

function entryKey(e: Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'subresource'>): string {
  return `${e.manager}|${e.operation}|${e.subresource ?? ''}`;
}

/** Records an Update (create, PUT or non-apply PATCH) by `manager`. */
export function recordUpdate(
  entries: ManagedFieldsEntry[] | undefined,
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  time: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const oldLeaves = before ? ownedLeaves(before, subresource) : new Map<string, unknown>();
  const newLeaves = ownedLeaves(after, subresource);
  const changed = new Set<string>();
  for (const [path, value] of newLeaves) {
    if (!oldLeaves.has(path) || !deepEqual(oldLeaves.get(path), value)) changed.add(path);
  }
  const removed = [...oldLeaves.keys()].filter((p) => !newLeaves.has(p));
  const result: ManagedFieldsEntry[] = [];
  const me: ManagedFieldsEntry = {
    manager,
    operation: 'Update',
    apiVersion: after.apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(subresource ? { subresource } : {}),
  };
  let mine = new Set<string>();
  for (const entry of entries ?? []) {
    const owned = ownedBy(entry);
    for (const p of removed) owned.delete(p);
    if (entryKey(entry) === entryKey(me)) {
      mine = owned;
      continue;
    }
    for (const p of changed) owned.delete(p);
    const kept = withPaths(entry, owned);
    if (kept) result.push(kept);
  }
  for (const p of changed) mine.add(p);
  const updated = withPaths({ ...me, time }, mine);
  if (updated) result.push(updated);
  return result;
}

export interface ApplyConflict {
  manager: string;
  field: string;
}

function fieldPathText(encoded: string): string {
  return (JSON.parse(encoded) as Path).map((s) => `.${s}`).join('');
}

function setLeaf(target: Record<string, unknown>, path: Path, value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(node[segment])) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = deepClone(value);
}

function deleteLeaf(target: Record<string, unknown>, path: Path): void {
  const parents: Record<string, unknown>[] = [];
  let node: unknown = target;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(node)) return;
    parents.push(node);
    node = node[segment];
  }
  if (!isPlainObject(node)) return;
  delete node[path[path.length - 1]!];
  // Drop maps the removal left empty, like the structured-merge-diff remover.
  for (let i = path.length - 2; i >= 0; i -= 1) {
    const parent = parents[i]!;
    const child = parent[path[i]!];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parent[path[i]!];
    else break;
  }
}

/**
 * Server-side apply of `applied` onto `current` by `manager`. Returns the merged object and the new
 * managedFields, or the conflicts when another manager owns a field the configuration changes.
 */
export function serverSideApply(
  current: KubeObject,
  applied: Record<string, unknown>,
  manager: string,
  force: boolean,
  time: string,
  subresource?: string,
): { object: KubeObject; managedFields: ManagedFieldsEntry[] } | { conflicts: ApplyConflict[] } {
  const appliedLeaves = ownedLeaves(applied, subresource);
  const currentLeaves = ownedLeaves(current, subresource);
  const entries = current.metadata.managedFields ?? [];
  const meKey = entryKey({ manager, operation: 'Apply', subresource });
  const conflicts: ApplyConflict[] = [];
  for (const entry of entries) {
    if (entryKey(entry) === meKey || (entry.subresource ?? '') !== (subresource ?? '')) continue;
    for (const p of ownedBy(entry)) {
      if (
        appliedLeaves.has(p) &&
        currentLeaves.has(p) &&
        !deepEqual(appliedLeaves.get(p), currentLeaves.get(p))
      ) {
        conflicts.push({ manager: entry.manager, field: fieldPathText(p) });
      }
    }
  }
  if (conflicts.length > 0 && !force) return { conflicts };

  const previouslyMine = new Set<string>();
  const othersOwn = new Set<string>();
  for (const entry of entries) {
    if (entryKey(entry) === meKey) for (const p of ownedBy(entry)) previouslyMine.add(p);
    else for (const p of ownedBy(entry)) othersOwn.add(p);
  }
  const result = deepClone(current) as Record<string, unknown>;
  for (const p of previouslyMine) {
    if (!appliedLeaves.has(p) && !othersOwn.has(p)) deleteLeaf(result, JSON.parse(p) as Path);
  }
  for (const [p, value] of appliedLeaves) setLeaf(result, JSON.parse(p) as Path, value);

  const managedFields: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (entryKey(entry) === meKey) continue;
    const owned = ownedBy(entry);
    if (force) for (const p of appliedLeaves.keys()) owned.delete(p);
    // Fields the applier now sets to the same value stay shared; changed ones moved above.
    for (const p of appliedLeaves.keys()) {
      if (!deepEqual(appliedLeaves.get(p), currentLeaves.get(p))) owned.delete(p);
    }
    const kept = withPaths(entry, owned);
    if (kept) managedFields.push(kept);
  }
  const mine = withPaths(
    {
      manager,
      operation: 'Apply',
      apiVersion: current.apiVersion,
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: {},
      ...(subresource ? { subresource } : {}),
    },
    new Set(appliedLeaves.keys()),
  );
  if (mine) managedFields.push(mine);
  return { object: result as KubeObject, managedFields };
}
