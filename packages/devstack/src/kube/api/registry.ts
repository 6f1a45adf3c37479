/**
 * The generic registry: create, read, list, update, patch and delete with kube-apiserver's
 * metadata rules (uid, resourceVersion, generation, generateName, finalizers, deletion), optimistic
 * concurrency, status subresource semantics, admission and dry run.
 */
import { randomUUID } from 'node:crypto';
import { type AdmissionContext, admit, type FieldValidation } from '../admission/index.js';
import { deepClone, deepEqual, isPlainObject, type KubeObject, type ManagedFieldsEntry } from '../types.js';
import type { Clock } from '../util/clock.js';
import { rfc3339 } from '../util/clock.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  fieldErrors,
  forbidden,
  generateNameConflict,
  invalid,
  invalidOptions,
  notFound,
  optimisticLockConflict,
  successStatus,
  unsupportedMediaType,
} from './errors.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from './resources.js';
import { type FieldSelector, type LabelSelector, matchesFields, matchesLabels } from './selectors.js';
import type { ObjectStore } from './store.js';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  subresource?: 'status';
  /** Writes by the emulated controllers: no admission, status kept on create. */
  internal?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  created?: boolean;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

const GENERATED_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * Called before a client's write that is conditional on a resourceVersion; may write the object
 * first (as a controller would have meanwhile) and returns the object as it now is.
 */
export type ConcurrentWriter = (rt: ResourceType, current: KubeObject) => KubeObject;

export class Registry {
  /** Background writers racing clients' conditional writes (the emulated operator's status writes). */
  concurrentWriter: ConcurrentWriter | undefined;

  constructor(
    readonly store: ObjectStore,
    readonly catalog: ResourceCatalog,
    readonly clock: Clock,
  ) {}

  private nsType(): ResourceType {
    return this.catalog.byApiVersionKind('v1', 'Namespace');
  }

  /** Creates the namespaces every cluster has. */
  bootstrapNamespaces(extra: readonly string[] = []): void {
    for (const name of [...SYSTEM_NAMESPACES, ...extra]) {
      if (!this.store.get(this.nsType(), undefined, name)) {
        this.create(
          this.nsType(),
          undefined,
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
          {},
        );
      }
    }
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(rt, namespace, name);
    if (!obj) throw notFound(rt, name);
    return obj;
  }

  find(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(rt, namespace, name);
  }

  list(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    let items = this.store.list(
      rt,
      namespace,
      (o) =>
        matchesLabels(opts.labelSelector ?? [], o.metadata.labels) &&
        matchesFields(opts.fieldSelector ?? [], o),
    );
    const resourceVersion = String(this.store.currentRevision);
    if (opts.continueToken) {
      const start = decodeContinue(opts.continueToken);
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > start);
    }
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      const page = items.slice(0, opts.limit);
      const last = page[page.length - 1]!;
      const result: ListResult = {
        items: page,
        resourceVersion,
        continueToken: encodeContinue(
          `${last.metadata.namespace ?? ''}/${last.metadata.name}`,
          resourceVersion,
        ),
      };
      if (!opts.labelSelector?.length && !opts.fieldSelector?.length) {
        result.remainingItemCount = items.length - page.length;
      }
      return result;
    }
    return { items, resourceVersion };
  }

  private admissionContext(operation: 'CREATE' | 'UPDATE', old?: KubeObject): AdmissionContext {
    return {
      operation,
      ...(old ? { old } : {}),
      lookup: (kind, namespace, name) => {
        const rt = this.catalog.all().find((t) => t.kind === kind);
        return rt ? this.store.get(rt, rt.namespaced ? namespace : undefined, name) : undefined;
      },
    };
  }

  private checkNamespace(rt: ResourceType, namespace: string | undefined): void {
    if (!rt.namespaced) return;
    const ns = this.store.get(this.nsType(), undefined, namespace ?? '');
    if (!ns) throw notFound(this.nsType(), namespace ?? '');
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        rt,
        undefined,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private checkTypeMeta(rt: ResourceType, body: KubeObject): void {
    const expected = apiVersionOf(rt);
    if (body.apiVersion !== undefined && body.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`,
      );
    }
    if (body.kind !== undefined && body.kind !== rt.kind) {
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
    }
    body.apiVersion = expected;
    body.kind = rt.kind;
  }

  private generateName(rt: ResourceType, namespace: string | undefined, prefix: string): string {
    let suffix = '';
    for (let i = 0; i < 5; i += 1)
      suffix += GENERATED_ALPHABET[Math.floor(Math.random() * GENERATED_ALPHABET.length)];
    const name = `${prefix}${suffix}`;
    if (this.store.get(rt, namespace, name)) throw generateNameConflict(rt, name);
    return name;
  }

  create(
    rt: ResourceType,
    namespace: string | undefined,
    input: unknown,
    opts: WriteOptions & { appliedFields?: ManagedFieldsEntry[] },
  ): WriteResult {
    const body = asObject(input, rt);
    this.checkTypeMeta(rt, body);
    const meta = body.metadata;
    if (rt.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name) {
      if (!meta.generateName) {
        throw invalid(rt, '', [fieldErrors.required('metadata.name', 'name or generateName is required')]);
      }
      meta.name = this.generateName(rt, namespace, meta.generateName);
    }
    this.checkNamespace(rt, namespace);
    const name = meta.name;
    validateOwnerReferences(rt, body);
    if (rt.subresources.includes('status') && !opts.internal && rt.custom) delete body.status;

    let warnings: string[] = [];
    let obj = body;
    if (!opts.internal) {
      const result = admit(rt, body, this.admissionContext('CREATE'), opts.fieldValidation ?? 'Warn');
      obj = result.object;
      warnings = result.warnings;
    }
    if (this.store.get(rt, namespace, name)) throw alreadyExists(rt, name);

    const now = rfc3339(this.clock.now());
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now;
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    if (hasGeneration(rt, obj)) obj.metadata.generation = 1;
    obj.metadata.managedFields =
      opts.appliedFields ?? recordUpdate(undefined, undefined, obj, opts.fieldManager ?? 'unknown', now);
    dropEmptyMetadata(obj);
    if (opts.dryRun) {
      obj.metadata.resourceVersion = '';
      return { object: obj, warnings, created: true };
    }
    return { object: this.store.put(rt, obj), warnings, created: true };
  }

  /** PUT semantics; `body.metadata.resourceVersion` is the optimistic-concurrency precondition. */
  update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    input: unknown,
    opts: WriteOptions,
  ): WriteResult {
    const body = asObject(input, rt);
    this.checkTypeMeta(rt, body);
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (rt.namespaced && body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    let current = this.get(rt, namespace, name);
    const rv = body.metadata.resourceVersion;
    if (rv && !opts.internal && this.concurrentWriter) current = this.concurrentWriter(rt, current);
    if (!rv && rt.custom && !opts.internal) {
      throw invalid(rt, name, [
        {
          ...fieldErrors.invalid('metadata.resourceVersion', 0, 'must be specified for an update'),
          rawValue: '0x0',
        },
      ]);
    }
    if (rv && rv !== current.metadata.resourceVersion) throw optimisticLockConflict(rt, name);
    return this.applyChange(rt, current, body, opts);
  }

  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patchBody: unknown,
    opts: WriteOptions & { force?: boolean },
  ): WriteResult {
    if (patchType === 'apply' && !opts.fieldManager) {
      throw invalidOptions('PatchOptions', [
        fieldErrors.required('fieldManager', 'is required for apply patch'),
      ]);
    }
    if (patchType !== 'apply' && opts.force) {
      throw invalidOptions('PatchOptions', [
        fieldErrors.forbidden('force', 'may not be specified for non-apply patch'),
      ]);
    }
    if (patchType === 'strategic' && rt.custom) {
      throw unsupportedMediaType(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    const current = this.store.get(rt, namespace, name);
    if (patchType === 'apply') return this.apply(rt, namespace, name, current, patchBody, opts);
    if (!current) throw notFound(rt, name);
    let patched: unknown;
    if (patchType === 'json') patched = jsonPatch(current, patchBody);
    else {
      if (!isPlainObject(patchBody)) throw badRequest('the body of the request was not a JSON object');
      patched = patchType === 'merge' ? mergePatch(current, patchBody) : strategicMerge(current, patchBody);
    }
    const body = asObject(patched, rt);
    const rv = body.metadata.resourceVersion;
    const conditional = patchNamesResourceVersion(patchType, patchBody);
    const latest =
      conditional && !opts.internal && this.concurrentWriter ? this.concurrentWriter(rt, current) : current;
    if (rv && rv !== latest.metadata.resourceVersion) throw optimisticLockConflict(rt, name);
    if (body.metadata.name !== name) {
      throw invalid(rt, name, [
        fieldErrors.invalid('metadata.name', body.metadata.name ?? '', 'field is immutable'),
      ]);
    }
    body.metadata.resourceVersion = current.metadata.resourceVersion;
    return this.applyChange(rt, current, body, opts);
  }

  private apply(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    current: KubeObject | undefined,
    patchBody: unknown,
    opts: WriteOptions & { force?: boolean },
  ): WriteResult {
    if (!isPlainObject(patchBody))
      throw badRequest('the body of the request was not a valid apply configuration');
    const applied = asObject(deepClone(patchBody), rt);
    if (applied.apiVersion === undefined || applied.kind === undefined) {
      throw badRequest('invalid object type: /, Kind=');
    }
    this.checkTypeMeta(rt, applied);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const now = rfc3339(this.clock.now());
    const base: KubeObject = current ?? {
      apiVersion: apiVersionOf(rt),
      kind: rt.kind,
      metadata: { name, ...(rt.namespaced ? { namespace } : {}) },
    };
    const result = serverSideApply(
      base,
      applied,
      opts.fieldManager!,
      opts.force === true,
      now,
      opts.subresource,
    );
    if ('conflicts' in result) {
      const list = result.conflicts;
      const version = apiVersionOf(rt);
      const describe = (c: { manager: string; field: string }) =>
        `conflict with "${c.manager}" using ${version}: ${c.field}`;
      const message =
        list.length === 1
          ? `Apply failed with 1 conflict: ${describe(list[0]!)}`
          : `Apply failed with ${list.length} conflicts: ${list.map(describe).join('\n')}`;
      const err = conflict(
        rt,
        name,
        '',
        list.map((c) => ({ reason: 'FieldManagerConflict', message: describe(c), field: c.field })),
      );
      err.body.message = message;
      throw err;
    }
    result.object.metadata.managedFields = result.managedFields;
    if (!current) {
      return this.create(rt, namespace, result.object, { ...opts, appliedFields: result.managedFields });
    }
    return this.applyChange(rt, current, result.object, { ...opts, keepManagedFields: true });
  }

  /** Shared tail of update and patch: subresource rules, admission, generation, finalizer-driven deletion. */
  private applyChange(
    rt: ResourceType,
    current: KubeObject,
    input: KubeObject,
    opts: WriteOptions & { keepManagedFields?: boolean },
  ): WriteResult {
    const name = current.metadata.name!;
    let next = deepClone(input);
    const hasStatusSubresource = rt.subresources.includes('status');
    if (opts.subresource === 'status') {
      const status = next.status;
      next = deepClone(current);
      if (status === undefined) delete next.status;
      else next.status = status;
    } else if (hasStatusSubresource && !opts.internal) {
      if (current.status === undefined) delete next.status;
      else next.status = deepClone(current.status);
    }
    const meta = next.metadata;
    meta.uid ??= current.metadata.uid;
    if (meta.uid !== current.metadata.uid) {
      throw invalid(rt, name, [fieldErrors.invalid('metadata.uid', meta.uid, 'field is immutable')]);
    }
    meta.namespace = current.metadata.namespace;
    if (!rt.namespaced) delete meta.namespace;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    meta.deletionTimestamp = current.metadata.deletionTimestamp;
    if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    if (current.metadata.deletionGracePeriodSeconds !== undefined) {
      meta.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    }
    meta.generation = current.metadata.generation;
    if (meta.generation === undefined) delete meta.generation;
    if (!opts.keepManagedFields) meta.managedFields = current.metadata.managedFields;
    if (current.metadata.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(current.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw invalid(rt, name, [
          fieldErrors.forbidden(
            'metadata.finalizers',
            `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
          ),
        ]);
      }
    }
    validateOwnerReferences(rt, next);

    let warnings: string[] = [];
    if (!opts.internal && opts.subresource !== 'status') {
      const result = admit(
        rt,
        next,
        this.admissionContext('UPDATE', current),
        opts.fieldValidation ?? 'Warn',
      );
      next = result.object;
      warnings = result.warnings;
    }
    if (hasGeneration(rt, next) && specChanged(current, next)) {
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    dropEmptyMetadata(next);
    if (deepEqual(stripVolatile(current), stripVolatile(next))) return { object: current, warnings };
    if (!opts.keepManagedFields) {
      next.metadata.managedFields = recordUpdate(
        current.metadata.managedFields,
        current,
        next,
        opts.fieldManager ?? 'unknown',
        rfc3339(this.clock.now()),
        opts.subresource,
      );
    }
    if (opts.dryRun) return { object: next, warnings };
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      const stored = this.store.put(rt, next);
      this.store.remove(rt, stored.metadata.namespace, name);
      return { object: stored, warnings };
    }
    return { object: this.store.put(rt, next), warnings };
  }

  /** DELETE: finalizers hold the object with a deletionTimestamp; otherwise it goes at once. */
  delete(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions,
  ): { object: KubeObject | ReturnType<typeof successStatus>; deletedNow: boolean } {
    const current = this.get(rt, namespace, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        rt,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        rt,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    const policy = opts.propagationPolicy ?? (rt.kind === 'Namespace' ? 'Foreground' : 'Background');
    const finalizers = [...(current.metadata.finalizers ?? [])];
    if (rt.kind === 'Namespace') {
      if (['default', 'kube-system', 'kube-public'].includes(name)) {
        throw forbidden(rt, name, 'this namespace may not be deleted');
      }
      return { object: this.markDeleting(rt, current, finalizers, opts.dryRun), deletedNow: false };
    }
    if (
      policy === 'Foreground' &&
      !finalizers.includes('foregroundDeletion') &&
      this.hasDependents(current)
    ) {
      finalizers.push('foregroundDeletion');
    }
    if (policy === 'Orphan' && this.hasDependents(current)) finalizers.push('orphan');
    if (finalizers.length > 0) {
      if (
        current.metadata.deletionTimestamp &&
        finalizers.length === (current.metadata.finalizers ?? []).length
      ) {
        return { object: current, deletedNow: false };
      }
      return { object: this.markDeleting(rt, current, finalizers, opts.dryRun), deletedNow: false };
    }
    if (opts.dryRun) return { object: deleteResponse(rt, current), deletedNow: true };
    const last = this.store.remove(rt, namespace, name)!;
    return { object: deleteResponse(rt, last), deletedNow: true };
  }

  private markDeleting(
    rt: ResourceType,
    current: KubeObject,
    finalizers: string[],
    dryRun?: boolean,
  ): KubeObject {
    const next = deepClone(current);
    next.metadata.deletionTimestamp ??= rfc3339(this.clock.now());
    next.metadata.deletionGracePeriodSeconds = 0;
    next.metadata.finalizers = finalizers;
    if (next.metadata.generation !== undefined && !current.metadata.deletionTimestamp) {
      next.metadata.generation += 1;
    }
    if (rt.kind === 'Namespace')
      next.status = { ...(isPlainObject(next.status) ? next.status : {}), phase: 'Terminating' };
    if (dryRun) return next;
    return this.store.put(rt, next);
  }

  /** Whether any object names this one as owner. */
  hasDependents(owner: KubeObject): boolean {
    for (const { object } of this.store.entries()) {
      if (object.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) return true;
    }
    return false;
  }
}

/** Whether a merge or JSON patch makes itself conditional on metadata.resourceVersion. */
function patchNamesResourceVersion(patchType: PatchType, patchBody: unknown): boolean {
  if (patchType === 'merge') {
    return (
      isPlainObject(patchBody) &&
      isPlainObject(patchBody.metadata) &&
      patchBody.metadata.resourceVersion !== undefined
    );
  }
  return (
    patchType === 'json' &&
    Array.isArray(patchBody) &&
    patchBody.some((op) => isPlainObject(op) && op.path === '/metadata/resourceVersion')
  );
}

function deleteResponse(rt: ResourceType, last: KubeObject): KubeObject | ReturnType<typeof successStatus> {
  if (rt.kind === 'Pod') return last;
  return successStatus({
    name: last.metadata.name!,
    ...(rt.group ? { group: rt.group } : {}),
    kind: rt.plural,
    uid: last.metadata.uid!,
  });
}

function asObject(input: unknown, rt: ResourceType): KubeObject {
  if (!isPlainObject(input)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${rt.kind}): not a JSON object`);
  }
  const obj = deepClone(input) as KubeObject;
  if (obj.metadata === undefined) obj.metadata = {};
  if (!isPlainObject(obj.metadata))
    throw badRequest(`json: cannot unmarshal metadata into Go struct field ${rt.kind}.metadata`);
  return obj;
}

/** Go's omitempty: empty lists and maps in metadata are not serialised. */
function dropEmptyMetadata(obj: KubeObject): void {
  const meta = obj.metadata as Record<string, unknown>;
  for (const key of ['finalizers', 'ownerReferences', 'labels', 'annotations', 'managedFields']) {
    const v = meta[key];
    if ((Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0))
      delete meta[key];
  }
}

function hasGeneration(rt: ResourceType, obj: KubeObject): boolean {
  return rt.custom || obj.spec !== undefined || rt.kind === 'Namespace' || rt.kind === 'Pod';
}

/** Generation moves when anything outside metadata and status changes. */
function specChanged(before: KubeObject, after: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(before), strip(after));
}

function stripVolatile(obj: KubeObject): KubeObject {
  const copy = deepClone(obj);
  delete copy.metadata.managedFields;
  delete copy.metadata.resourceVersion;
  return copy;
}

function validateOwnerReferences(rt: ResourceType, obj: KubeObject): void {
  const refs = obj.metadata.ownerReferences;
  if (refs === undefined) return;
  const errors = refs.flatMap((ref, i) => {
    const path = `metadata.ownerReferences[${i}]`;
    const out = [];
    if (!ref.apiVersion) out.push(fieldErrors.invalid(`${path}.apiVersion`, '', 'version must not be empty'));
    if (!ref.kind) out.push(fieldErrors.invalid(`${path}.kind`, '', 'kind must not be empty'));
    if (!ref.name) out.push(fieldErrors.invalid(`${path}.name`, '', 'name must not be empty'));
    if (!ref.uid) out.push(fieldErrors.invalid(`${path}.uid`, '', 'uid must not be empty'));
    return out;
  });
  if (refs.filter((r) => r.controller).length > 1) {
    errors.push(
      fieldErrors.invalid(
        'metadata.ownerReferences',
        refs,
        'Only one reference can have Controller set to true',
      ),
    );
  }
  if (errors.length > 0) throw invalid(rt, obj.metadata.name ?? '', errors);
}

function encodeContinue(start: string, rv: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start })).toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start !== 'string') throw new Error('no start');
    return parsed.start;
  } catch {
    throw badRequest(`continue key is not valid: ${token}`);
  }
}
