/** JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the strategic merge patch used by core types. */
import { deepClone, deepEqual, isPlainObject } from '../types.js';
import { ApiError, badRequest } from './errors.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The 422 kube-apiserver returns when a JSON patch cannot be applied. */
function patchApplyError(): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server rejected our request due to an error in our request',
    reason: 'Invalid',
    details: {},
    code: 422,
  });
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchApplyError();
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function container(doc: unknown, path: string[]): { parent: unknown; key: string } {
  let cur = doc;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(segment)];
    else if (isPlainObject(cur)) cur = cur[segment];
    else throw patchApplyError();
    if (cur === undefined) throw patchApplyError();
  }
  return { parent: cur, key: path[path.length - 1] ?? '' };
}

function read(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const segment of path) {
    if (Array.isArray(cur)) cur = cur[Number(segment)];
    else if (isPlainObject(cur)) cur = cur[segment];
    else throw patchApplyError();
    if (cur === undefined) throw patchApplyError();
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean): number {
  if (key === '-' && forInsert) return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw patchApplyError();
  const index = Number(key);
  if (index > arr.length || (!forInsert && index === arr.length)) throw patchApplyError();
  return index;
}

function addAt(doc: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return deepClone(value);
  const { parent, key } = container(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, deepClone(value));
  else if (isPlainObject(parent)) parent[key] = deepClone(value);
  else throw patchApplyError();
  return doc;
}

function removeAt(doc: unknown, path: string[]): unknown {
  const { parent, key } = container(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else if (isPlainObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else throw patchApplyError();
  return doc;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let doc = deepClone(target);
  for (const op of operations) {
    if (!isPlainObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw badRequest('the server rejected our request due to an error in our request');
    }
    const path = decodePointer(op.path);
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        read(doc, path);
        doc = path.length === 0 ? deepClone(op.value) : addAt(removeAt(doc, path), path, op.value);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw patchApplyError();
        const from = decodePointer(op.from);
        const value = deepClone(read(doc, from));
        if (op.op === 'move') doc = removeAt(doc, from);
        doc = addAt(doc, path, value);
        break;
      }
      case 'test':
        if (!deepEqual(read(doc, path), op.value)) throw patchApplyError();
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

/** List merge keys from the core types' `patchMergeKey` tags that tools and kubectl touch. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ports: 'port',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

/** Lists that merge as sets of primitives. */
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

function strategicList(key: string, target: unknown[], patch: unknown[], containerPorts: boolean): unknown[] {
  if (PRIMITIVE_MERGE_LISTS.has(key)) {
    const out = [...target];
    for (const item of patch) if (!out.some((x) => deepEqual(x, item))) out.push(item);
    return out;
  }
  const mergeKey = key === 'ports' && containerPorts ? 'containerPort' : MERGE_KEYS[key];
  if (!mergeKey || !patch.every(isPlainObject)) return deepClone(patch);
  const out = deepClone(target) as unknown[];
  for (const item of patch as Record<string, unknown>[]) {
    if (item.$patch === 'replace') return patch.filter((p) => isPlainObject(p) && p.$patch !== 'replace');
    const idx = out.findIndex((x) => isPlainObject(x) && x[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx], item, key);
    else out.push(strategicMerge({}, item, key));
  }
  return out;
}

/** Strategic merge patch: maps merge, lists with merge keys merge by key, `$patch` and `$retainKeys` honoured. */
export function strategicMerge(target: unknown, patch: unknown, parentKey = ''): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return deepClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isPlainObject(target) ? deepClone(target) : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const listKey = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[listKey];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[listKey] = current.filter((x) => !value.some((v) => deepEqual(v, x)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const current = result[key];
      const isContainerPorts = parentKey === 'containers' || parentKey === 'initContainers';
      result[key] = strategicList(key, Array.isArray(current) ? current : [], value, isContainerPorts);
    } else if (isPlainObject(value)) {
      const merged = strategicMerge(result[key], value, key);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  if (retainKeys) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}
