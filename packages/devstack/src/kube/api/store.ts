/**
 * The object store: every object of every type, one global resourceVersion counter, and a bounded
 * history of changes so watches can resume from a resourceVersion.
 */
import { deepClone, type KubeObject } from '../types.js';
import { type ResourceType, resourceKey } from './resources.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  rt: ResourceType;
  object: KubeObject;
  /** The object before this change (MODIFIED and DELETED). */
  previous?: KubeObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private revision: number;

  constructor(
    /** Changes kept for resuming watches (kube-apiserver keeps a bounded watch cache too). */
    private readonly historyLimit = 5_000,
    startRevision = 1000,
  ) {
    this.revision = startRevision;
  }

  get currentRevision(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumableRevision(): number {
    const first = this.history[0];
    return first ? first.resourceVersion - 1 : this.revision;
  }

  private table(rt: ResourceType): Map<string, KubeObject> {
    const key = resourceKey(rt);
    let table = this.objects.get(key);
    if (!table) {
      table = new Map();
      this.objects.set(key, table);
    }
    return table;
  }

  private static objectKey(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(rt).get(ObjectStore.objectKey(namespace, name));
    return found ? deepClone(found) : undefined;
  }

  /** Objects of a type (optionally filtered before copying), sorted by namespace then name. */
  list(rt: ResourceType, namespace?: string, filter?: (obj: KubeObject) => boolean): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.table(rt).values()) {
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      if (!filter || filter(obj)) out.push(deepClone(obj));
    }
    return out.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  /** Stores a new or changed object, assigning the next resourceVersion. Returns the stored copy. */
  put(rt: ResourceType, obj: KubeObject): KubeObject {
    const key = ObjectStore.objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
    const table = this.table(rt);
    const previous = table.get(key);
    this.revision += 1;
    const stored = deepClone(obj);
    stored.metadata.resourceVersion = String(this.revision);
    table.set(key, stored);
    this.emit({
      type: previous ? 'MODIFIED' : 'ADDED',
      rt,
      object: deepClone(stored),
      ...(previous ? { previous: deepClone(previous) } : {}),
      resourceVersion: this.revision,
    });
    return deepClone(stored);
  }

  /**
   * Puts back an object saved earlier, as it was (its resourceVersion kept, no watch event); the
   * revision counter moves past it. For loading a saved state before anyone watches.
   */
  restore(rt: ResourceType, obj: KubeObject): void {
    this.table(rt).set(
      ObjectStore.objectKey(obj.metadata.namespace, obj.metadata.name ?? ''),
      deepClone(obj),
    );
    this.revision = Math.max(this.revision, Number(obj.metadata.resourceVersion ?? 0));
  }

  /** Removes an object; the DELETED event carries its last state with a fresh resourceVersion. */
  remove(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const table = this.table(rt);
    const key = ObjectStore.objectKey(namespace, name);
    const previous = table.get(key);
    if (!previous) return undefined;
    table.delete(key);
    this.revision += 1;
    const last = deepClone(previous);
    last.metadata.resourceVersion = String(this.revision);
    this.emit({ type: 'DELETED', rt, object: deepClone(last), previous, resourceVersion: this.revision });
    return last;
  }

  /** Every stored object of every type (for garbage collection and namespace cleanup). */
  *entries(): Generator<{ rtKey: string; object: KubeObject }> {
    for (const [rtKey, table] of this.objects) {
      for (const object of table.values()) yield { rtKey, object };
    }
  }

  /** Forgets the kept history (as etcd compaction does): resuming a watch from any earlier revision gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
  }

  /** Changes after `revision`, or undefined when that revision is older than the kept history. */
  eventsSince(revision: number): StoreEvent[] | undefined {
    if (revision < this.oldestResumableRevision) return undefined;
    return this.history.filter((e) => e.resourceVersion > revision);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit)
      this.history.splice(0, this.history.length - this.historyLimit);
    for (const listener of [...this.listeners]) listener(event);
  }
}

function sortKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
