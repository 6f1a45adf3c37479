/** Records core/v1 Events the way controller-runtime's recorder does (aggregating repeats). */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../types.js';
import type { Clock } from '../util/clock.js';
import { rfc3339 } from '../util/clock.js';
import type { ControllerClient } from './client.js';

export class EventRecorder {
  constructor(
    private readonly client: ControllerClient,
    private readonly clock: Clock,
    private readonly component = 'cloudnative-pg',
  ) {}

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const namespace = obj.metadata.namespace ?? 'default';
    const now = rfc3339(this.clock.now());
    const existing = this.client
      .list('Event', namespace)
      .find(
        (e) =>
          (e.involvedObject as { uid?: string } | undefined)?.uid === obj.metadata.uid &&
          e.reason === reason &&
          e.message === message,
      );
    if (existing) {
      existing.count = Number(existing.count ?? 1) + 1;
      existing.lastTimestamp = now;
      this.client.update(existing);
      return;
    }
    this.client.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
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
