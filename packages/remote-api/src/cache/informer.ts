/**
 * One watched resource in one namespace (or all): client-node's ListWatch (list, then watch from
 * the list's resourceVersion; a 410 Gone in the watch makes it list again) plus what a cache that
 * serves reads needs around it: whether it is synced, a fresh list after any watch error (with a
 * growing, jittered wait), a periodic end of each watch so a silently dead connection cannot leave
 * it stale, and read-your-writes: writes this process made are expected, and a read waits until the
 * informer has seen them.
 */
import { type KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import { backoffDelay, type RetryBackoff } from '../kube/conflict-retry.js';
import type { Logger } from '../log.js';
import type { KubeObject } from '../tools/framework/kinds.js';

export interface WatchedResource {
  kind: string;
  /** '' for the core API group. */
  group: string;
  version: string;
  plural: string;
  clusterScoped?: boolean;
  /** Only objects carrying this label are watched (pods and PVCs: CloudNativePG's own). */
  requiredLabel?: string;
}

export type InformerState = 'starting' | 'synced' | 'resyncing' | 'failed' | 'absent';

export interface ListedObjects {
  items: KubeObject[];
  resourceVersion: string;
}

export interface InformerDeps {
  kubeConfig: KubeConfig;
  /** Lists the resource as the service account: plain JSON objects with apiVersion and kind. */
  list(resource: WatchedResource, namespace: string | undefined): Promise<ListedObjects>;
  log: Logger;
  /** Seconds before the server ends each watch (resumed at once from the last resourceVersion). */
  watchTimeoutSeconds?: number;
}

/** A write this process made, seen once the informer has caught up with it. */
interface Expectation {
  met(): boolean;
  since: number;
}

/** Waits after a failed list or watch before listing again. */
const RESTART_BACKOFF: RetryBackoff = {
  attempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};
/** A resource the API server does not serve (a CRD not installed) is looked for again this often. */
const ABSENT_RETRY_MS = 60_000;
/** An expectation not met within this time means the watch is stuck: it is dropped and the informer lists afresh. */
const EXPECTATION_LIMIT_MS = 10_000;
const DEFAULT_WATCH_TIMEOUT_SECONDS = 300;

/**
 * How the cache holds an object: without metadata.managedFields (the field managers' bookkeeping,
 * often a third of an object, which no tool reads), and frozen, so the objects handed to every
 * caller without copying cannot be changed by any of them.
 */
export function stored<T>(object: T): T {
  const metadata = (object as { metadata?: { managedFields?: unknown } } | null)?.metadata;
  if (metadata?.managedFields !== undefined) delete metadata.managedFields;
  return deepFreeze(object);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * A Watch whose open request can be cancelled at any time. ListWatch keeps the request only once
 * the response headers arrived, and once its list resolves it starts a watch even when stopped
 * meanwhile; an informer that is replaced or stopped closes this instead, so no watch outlives it.
 */
class ClosableWatch extends Watch {
  private current: AbortController | undefined;
  private closed = false;

  override async watch(
    ...[path, query, callback, done]: Parameters<Watch['watch']>
  ): Promise<AbortController> {
    if (this.closed) return new AbortController();
    const controller = await super.watch(
      path,
      query,
      (phase, object, event) => callback(phase, phase === 'ERROR' ? object : stored(object), event),
      done,
    );
    if (this.closed) controller.abort();
    else this.current = controller;
    return controller;
  }

  close(): void {
    this.closed = true;
    this.current?.abort();
  }
}

/** resourceVersions are etcd revisions, decimal integers that grow with every change. */
function newerOrSame(seen: string, wanted: string): boolean {
  if (!/^\d+$/.test(seen) || !/^\d+$/.test(wanted)) return seen === wanted;
  return seen.length !== wanted.length ? seen.length > wanted.length : seen >= wanted;
}

const statusOf = (error: unknown): number | undefined => {
  const e = error as { code?: unknown; statusCode?: unknown } | undefined;
  const status = Number(e?.statusCode ?? e?.code);
  return Number.isInteger(status) && status >= 100 ? status : undefined;
};

export class Informer {
  private state: InformerState = 'starting';
  private reason = 'starting';
  /** Holds the objects as the API sent them (JSON: timestamps are strings), typed KubeObject on the way out. */
  private listWatch: ListWatch<KubernetesObject> | undefined;
  private watch: ClosableWatch | undefined;
  /** Bumped on every (re)start, so callbacks of a replaced ListWatch change nothing. */
  private generation = 0;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** The highest resourceVersion this informer has applied (list or event). */
  private seen = '';
  private expectations: Expectation[] = [];
  /** A list is under way or not yet applied (it may or may not include a write made meanwhile). */
  private listing = false;
  private waiters: Array<() => void> = [];
  private settledOnce = false;
  private readonly settledListeners: Array<() => void> = [];

  constructor(
    readonly resource: WatchedResource,
    /** undefined: every namespace (and cluster-scoped resources). */
    readonly namespace: string | undefined,
    private readonly deps: InformerDeps,
  ) {}

  get synced(): boolean {
    return this.state === 'synced';
  }

  /** For readiness: the state and, when not synced, why. */
  status(): { state: InformerState; reason: string } {
    return { state: this.state, reason: this.state === 'synced' ? '' : this.reason };
  }

  start(): void {
    this.stopped = false;
    this.restart();
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    clearTimeout(this.restartTimer);
    this.closeWatch();
    this.listWatch = undefined;
    this.release();
  }

  private closeWatch(): void {
    void this.listWatch?.stop();
    this.watch?.close();
  }

  /** Resolves once the first list has either succeeded or failed (or the resource is absent). */
  settled(): Promise<void> {
    if (this.settledOnce) return Promise.resolve();
    return new Promise((resolve) => this.settledListeners.push(resolve));
  }

  /** The cached objects (frozen: shared by every reader). */
  list(namespace?: string): readonly KubeObject[] {
    return (this.listWatch?.list(namespace) ?? []) as unknown as readonly KubeObject[];
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.listWatch?.get(name, namespace) as KubeObject | undefined;
  }

  get resourceVersion(): string {
    return this.seen;
  }

  /** A write of resourceVersion `rv`: met once the informer has applied it or anything newer. */
  expectVersion(rv: string): void {
    this.expect(() => this.seen !== '' && newerOrSame(this.seen, rv));
  }

  /** A deletion: met once the object is gone from the cache, replaced (another uid) or marked for deletion. */
  expectGone(namespace: string | undefined, name: string, uid: string | undefined): void {
    this.expect(() => {
      const cached = this.get(namespace, name);
      return (
        !cached ||
        (uid !== undefined && cached.metadata.uid !== uid) ||
        cached.metadata.deletionTimestamp !== undefined
      );
    });
  }

  /**
   * True once the cache is synced and has seen every write this process expects of it; false when
   * that takes longer than `timeoutMs` (the caller then reads from the API server).
   */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    if (this.isCaughtUp()) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.waiters.push(() => resolve(this.isCaughtUp()))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return done;
  }

  private isCaughtUp(): boolean {
    return this.state === 'synced' && this.expectations.length === 0;
  }

  private expect(met: () => boolean): void {
    if (this.state === 'synced' ? met() : !this.listing) return;
    // Unsynced, a write matters only to a list already under way (the next one will include it).
    this.expectations.push({ met, since: Date.now() });
  }

  /** Drops met expectations and wakes readers that can go ahead. */
  private check(): void {
    if (this.state !== 'synced') return;
    const now = Date.now();
    const stale = this.expectations.some((expectation) => now - expectation.since > EXPECTATION_LIMIT_MS);
    this.expectations = this.expectations.filter((expectation) => !expectation.met());
    if (stale && this.expectations.length > 0) {
      this.deps.log.warn('watch cache: a write was not seen in time; listing again', this.describe());
      this.expectations = [];
      this.restart();
      return;
    }
    if (this.expectations.length === 0) this.release();
  }

  private release(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private settle(): void {
    if (this.settledOnce) return;
    this.settledOnce = true;
    for (const listener of this.settledListeners.splice(0)) listener();
  }

  private describe(): Record<string, string> {
    return { resource: this.resource.plural, namespace: this.namespace ?? '(all)' };
  }

  private path(): string {
    const { group, version, plural } = this.resource;
    const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const where = this.namespace === undefined ? '' : `/namespaces/${this.namespace}`;
    // Watch appends its own query (watch, resourceVersion, selector) to this one.
    const timeout = this.deps.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
    const jittered = Math.round(timeout * (1 + Math.random() / 2));
    return `${base}${where}/${plural}?timeoutSeconds=${jittered}`;
  }

  /** A new ListWatch: a fresh list, then a watch from it. */
  private restart(): void {
    if (this.stopped) return;
    clearTimeout(this.restartTimer);
    this.closeWatch();
    const generation = ++this.generation;
    if (this.state === 'synced') this.unsynced('resyncing', 'listing again');
    this.watch = new ClosableWatch(this.deps.kubeConfig);
    const listWatch = new ListWatch<KubernetesObject>(
      this.path(),
      this.watch,
      () => this.listFor(generation),
      false,
      this.resource.requiredLabel,
    );
    const current = () => generation === this.generation;
    const applied = (object: KubernetesObject) => {
      if (!current()) return;
      this.noteVersion(object.metadata?.resourceVersion);
      this.check();
    };
    listWatch.on('add', applied);
    listWatch.on('update', applied);
    listWatch.on('delete', applied);
    listWatch.on('error', (error: unknown) => {
      if (current()) this.failed(error);
    });
    this.listWatch = listWatch;
    listWatch.start().catch((error: unknown) => {
      if (current()) this.failed(error);
    });
  }

  private async listFor(generation: number) {
    // ListWatch lists again after a 410 Gone: until that list is applied the cache is not served.
    if (this.state === 'synced') this.unsynced('resyncing', 'the watch expired (410 Gone); listing again');
    // Until this list is applied and watched from, a write made meanwhile may be missing from it.
    this.listing = true;
    const listed = await this.deps.list(this.resource, this.namespace);
    // A replaced ListWatch must not go on to watch: its list fails instead.
    if (generation !== this.generation) throw new Error('replaced by a newer list');
    // ListWatch applies the items right after this promise resolves, before it watches.
    setImmediate(() => {
      if (generation === this.generation) this.synchronised(listed.resourceVersion);
    });
    return {
      metadata: { resourceVersion: listed.resourceVersion },
      items: listed.items.map(stored) as unknown as KubernetesObject[],
    };
  }

  private noteVersion(rv: string | undefined): void {
    if (rv && (this.seen === '' || newerOrSame(rv, this.seen))) this.seen = rv;
  }

  private synchronised(rv: string): void {
    this.listing = false;
    this.failures = 0;
    this.seen = '';
    this.noteVersion(rv);
    for (const object of this.list()) this.noteVersion(object.metadata.resourceVersion);
    if (this.state !== 'synced') this.deps.log.debug('watch cache synced', { ...this.describe(), rv });
    this.state = 'synced';
    this.reason = '';
    this.settle();
    this.check();
  }

  private unsynced(state: InformerState, reason: string): void {
    this.state = state;
    this.reason = reason;
    // Readers waiting for a write fall back to the API server rather than wait for the list.
    this.release();
  }

  private failed(error: unknown): void {
    this.listing = false;
    this.closeWatch();
    const status = statusOf(error);
    const message = (error as Error | undefined)?.message ?? String(error);
    if (status === 404 && this.state !== 'synced') {
      this.unsynced('absent', 'the API server does not serve this resource');
      this.settle();
      this.scheduleRestart(ABSENT_RETRY_MS);
      return;
    }
    this.failures += 1;
    this.unsynced('failed', status ? `HTTP ${status}: ${message}` : message);
    this.settle();
    const delay = backoffDelay(this.failures, RESTART_BACKOFF) + 100;
    this.deps.log.warn('watch cache: list or watch failed; listing again', {
      ...this.describe(),
      reason: this.reason,
      retryInMs: Math.round(delay),
    });
    this.scheduleRestart(delay);
  }

  private scheduleRestart(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.restart(), delayMs);
    this.restartTimer.unref();
  }
}
