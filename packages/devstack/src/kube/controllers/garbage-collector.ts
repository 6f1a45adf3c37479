/**
 * Owner-reference garbage collection (background, foreground and orphan propagation) and the
 * namespace lifecycle controller, driven by store events.
 */
import type { Registry } from '../api/registry.js';
import type { ResourceType } from '../api/resources.js';
import type { StoreEvent } from '../api/store.js';
import type { KubeObject } from '../types.js';
import type { WorkQueue } from './work-queue.js';

interface Located {
  rt: ResourceType;
  object: KubeObject;
}

export class GarbageCollector {
  constructor(
    private readonly registry: Registry,
    private readonly queue: WorkQueue,
  ) {}

  private typeOf(rtKey: string): ResourceType | undefined {
    return this.registry.catalog.all().find((rt) => `${rt.group}/${rt.plural}` === rtKey);
  }

  private dependentsOf(uid: string): Located[] {
    const out: Located[] = [];
    for (const { rtKey, object } of this.registry.store.entries()) {
      if (!object.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      const rt = this.typeOf(rtKey);
      if (rt) out.push({ rt, object });
    }
    return out;
  }

  private exists(uid: string): boolean {
    for (const { object } of this.registry.store.entries()) if (object.metadata.uid === uid) return true;
    return false;
  }

  onEvent(event: StoreEvent): void {
    const obj = event.object;
    const uid = obj.metadata.uid;
    if (!uid) return;
    if (event.type === 'DELETED') {
      this.queue.add(`gc/${uid}`, () => this.collectOrphansOf(uid));
      this.recheckOwners(obj);
      return;
    }
    if (!obj.metadata.deletionTimestamp) return;
    if (event.rt.kind === 'Namespace') {
      this.queue.add(`namespace/${obj.metadata.name}`, () => this.finalizeNamespace(obj.metadata.name!));
      return;
    }
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes('foregroundDeletion') || finalizers.includes('orphan')) {
      this.queue.add(`gc-owner/${uid}`, () => this.finishOwnerDeletion(event.rt, obj));
    }
  }

  /** A dependent or namespace member went away: owners waiting on it get another look. */
  private recheckOwners(gone: KubeObject): void {
    for (const ref of gone.metadata.ownerReferences ?? []) {
      for (const { rtKey, object } of this.registry.store.entries()) {
        if (object.metadata.uid !== ref.uid || !object.metadata.deletionTimestamp) continue;
        const rt = this.typeOf(rtKey);
        if (rt) this.queue.add(`gc-owner/${ref.uid}`, () => this.finishOwnerDeletion(rt, object));
      }
    }
    const ns = gone.metadata.namespace;
    if (ns) {
      const nsType = this.registry.catalog.byApiVersionKind('v1', 'Namespace');
      if (this.registry.find(nsType, undefined, ns)?.metadata.deletionTimestamp) {
        this.queue.add(`namespace/${ns}`, () => this.finalizeNamespace(ns));
      }
    }
  }

  /** Background propagation: dependents whose owners are all gone are deleted. */
  private collectOrphansOf(uid: string): boolean {
    for (const { rt, object } of this.dependentsOf(uid)) {
      const remaining = (object.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== uid && this.exists(r.uid),
      );
      const current = this.registry.find(rt, object.metadata.namespace, object.metadata.name!);
      if (!current) continue;
      if (remaining.length > 0) {
        current.metadata.ownerReferences = remaining;
        this.registry.update(rt, current.metadata.namespace, current.metadata.name!, current, {
          internal: true,
        });
      } else if (!current.metadata.deletionTimestamp) {
        this.registry.delete(rt, current.metadata.namespace, current.metadata.name!, {
          propagationPolicy: 'Background',
        });
      }
    }
    return false;
  }

  private finishOwnerDeletion(rt: ResourceType, owner: KubeObject): boolean {
    const current = this.registry.find(rt, owner.metadata.namespace, owner.metadata.name!);
    if (!current || current.metadata.uid !== owner.metadata.uid) return false;
    const finalizers = current.metadata.finalizers ?? [];
    const uid = current.metadata.uid!;
    const dependents = this.dependentsOf(uid);
    if (finalizers.includes('orphan')) {
      for (const dep of dependents) {
        const d = this.registry.find(dep.rt, dep.object.metadata.namespace, dep.object.metadata.name!);
        if (!d) continue;
        d.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (d.metadata.ownerReferences.length === 0) delete d.metadata.ownerReferences;
        this.registry.update(dep.rt, d.metadata.namespace, d.metadata.name!, d, { internal: true });
      }
      return this.dropFinalizer(rt, current, 'orphan');
    }
    if (dependents.length > 0) {
      for (const dep of dependents) {
        if (dep.object.metadata.deletionTimestamp) continue;
        this.registry.delete(dep.rt, dep.object.metadata.namespace, dep.object.metadata.name!, {
          propagationPolicy: 'Foreground',
        });
      }
      return false;
    }
    return this.dropFinalizer(rt, current, 'foregroundDeletion');
  }

  private dropFinalizer(rt: ResourceType, obj: KubeObject, finalizer: string): boolean {
    obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.registry.update(rt, obj.metadata.namespace, obj.metadata.name!, obj, { internal: true });
    return false;
  }

  /** Deletes everything in a terminating namespace, then the namespace itself. */
  private finalizeNamespace(name: string): boolean {
    let remaining = 0;
    for (const { rtKey, object } of [...this.registry.store.entries()]) {
      if (object.metadata.namespace !== name) continue;
      const rt = this.typeOf(rtKey);
      if (!rt) continue;
      remaining += 1;
      if (!object.metadata.deletionTimestamp) {
        this.registry.delete(rt, name, object.metadata.name!, { propagationPolicy: 'Background' });
      }
    }
    if (remaining > 0) return false;
    const nsType = this.registry.catalog.byApiVersionKind('v1', 'Namespace');
    this.registry.store.remove(nsType, undefined, name);
    return false;
  }
}
