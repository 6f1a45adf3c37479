/**
 * A deduplicating work queue processed one item at a time, with a configurable delay before each
 * step so reconciliation unfolds over observable time. `settle()` resolves once nothing is queued
 * or running, which makes tests deterministic.
 */
export type Handler = () => Promise<boolean | undefined> | boolean | undefined;

interface Item {
  key: string;
  handler: Handler;
}

export class WorkQueue {
  private readonly pending = new Map<string, Item>();
  private running = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly errors: unknown[] = [];

  constructor(
    private readonly stepDelayMs: number,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /** Queues `handler` under `key` (replacing a queued one). A handler returning true is re-queued. */
  add(key: string, handler: Handler): void {
    if (this.stopped) return;
    this.pending.set(key, { key, handler });
    if (!this.running) void this.drain();
  }

  get size(): number {
    return this.pending.size;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        if (this.stepDelayMs > 0) await new Promise((r) => setTimeout(r, this.stepDelayMs));
        else await new Promise((r) => setImmediate(r));
        const first = this.pending.values().next().value as Item | undefined;
        if (!first) break;
        this.pending.delete(first.key);
        try {
          const again = await first.handler();
          if (again && !this.pending.has(first.key)) this.pending.set(first.key, first);
        } catch (err) {
          this.errors.push(err);
          this.onError(first.key, err);
        }
      }
    } finally {
      this.running = false;
      if (this.pending.size === 0 || this.stopped) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  /** Resolves when the queue is empty and no handler runs. */
  settle(): Promise<void> {
    if (!this.running && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}
