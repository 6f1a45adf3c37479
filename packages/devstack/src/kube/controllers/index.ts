/** Wires the emulated controllers to store events. */
import type { Registry } from '../api/registry.js';
import type { StoreEvent } from '../api/store.js';
import type { Clock } from '../util/clock.js';
import { GarbageCollector } from './garbage-collector.js';
import type { PodLogs } from './pod-logs.js';
import type { WorkQueue } from './work-queue.js';

export interface ControllerDeps {
  registry: Registry;
  queue: WorkQueue;
  logs: PodLogs;
  clock: Clock;
}

export class Controllers {
  private unsubscribe: (() => void) | undefined;
  private readonly gc: GarbageCollector;

  constructor(private readonly deps: ControllerDeps) {
    this.gc = new GarbageCollector(deps.registry, deps.queue);
  }

  start(): void {
    this.unsubscribe = this.deps.registry.store.subscribe((event) => this.dispatch(event));
  }

  private dispatch(event: StoreEvent): void {
    this.gc.onEvent(event);
  }

  onClockAdvanced(): void {}

  stop(): void {
    this.unsubscribe?.();
  }
}
