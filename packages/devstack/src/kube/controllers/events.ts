/** Records core/v1 Events the way controller-runtime's recorder does (aggregating repeats). */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../types.js';
import type { Clock } from '../util/clock.js';
import { rfc3339 } from '../util/clock.js';
import type { ControllerClient } from './client.js';

export class EventRecorder {
  /** Event name per (object, reason, message), so repeats bump the count instead of adding events. */
  private readonly recorded = new Map<string, string>();

  constructor(
    private readonly client: ControllerClient,
    private readonly clock: Clock,
    private readonly component = 'cloudnative-pg',
  ) {}

  private recordsSincePrune = 0;

  /** Events expire after an hour, as with kube-apiserver's default event TTL. */
  private pruneExpired(): void {
    this.recordsSincePrune += 1;
    if (this.recordsSincePrune < 200) return;
    this.recordsSincePrune = 0;
    const cutoff = this.clock.now().getTime() - 3_600_000;
    const kept = new Set<string>();
    for (const event of this.client.list('Event', undefined)) {
      if (Date.parse(String(event.lastTimestamp)) < cutoff) {
        this.client.delete('Event', event.metadata.namespace, event.metadata.name!);
      } else {
        kept.add(event.metadata.name!);
      }
    }
    for (const [key, name] of this.recorded) if (!kept.has(name)) this.recorded.delete(key);
  }

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.pruneExpired();
    const namespace = obj.metadata.namespace ?? 'default';
    const now = rfc3339(this.clock.now());
    const key = `${obj.metadata.uid}|${reason}|${message}`;
    const knownName = this.recorded.get(key);
    const existing = knownName ? this.client.get('Event', namespace, knownName) : undefined;
    if (existing) {
      existing.count = Number(existing.count ?? 1) + 1;
      existing.lastTimestamp = now;
      this.client.update(existing);
      return;
    }
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.recorded.set(key, name);
    this.client.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: `${this.component}-controller`,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }
}
