/** ScheduledBackups create Backups on their cron schedule, read from the emulator's clock. */
import { parseCron } from '@cnpg-mcp/catalog';
import { asRecord, type KubeObject } from '../../types.js';
import { type Clock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { ownerRef } from './cluster-objects.js';

/** CNPG's compact timestamp for generated names: YYYYMMDDhhmmss. */
export function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Go's time.Time printed with %v, as CNPG's event messages show it (UTC). */
function goTime(date: Date): string {
  const iso = date.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

export class ScheduledBackupReconciler {
  constructor(
    private readonly client: ControllerClient,
    private readonly events: EventRecorder,
    private readonly clock: Clock,
    /** Asks to be called again at (emulated) time `at`. */
    private readonly wakeAt: (key: string, at: Date) => void,
  ) {}

  reconcile(namespace: string, name: string): boolean {
    const sb = this.client.get('ScheduledBackup', namespace, name);
    if (!sb || sb.metadata.deletionTimestamp) return false;
    const spec = asRecord(sb.spec);
    const status = asRecord(sb.status);
    if (spec.suspend === true) return false;
    const clusterName = String(asRecord(spec.cluster).name ?? '');
    const cluster = this.client.get('Cluster', namespace, clusterName);
    if (!cluster) return false;
    let schedule: ReturnType<typeof parseCron>;
    try {
      schedule = parseCron(String(spec.schedule));
    } catch (err) {
      this.client.patchStatus(sb, { error: (err as Error).message });
      return false;
    }
    const now = this.clock.now();
    const healthy = asRecord(cluster.status).phase === 'Cluster in healthy state';
    if (spec.immediate === true && status.lastScheduleTime === undefined) {
      if (!healthy) return false;
      this.events.record(sb, 'Normal', 'BackupSchedule', `Scheduled immediate backup now: ${goTime(now)}`);
      this.createBackup(sb, cluster, now, true);
      const next = schedule.next(now);
      this.events.record(sb, 'Normal', 'BackupSchedule', `Next backup scheduled by ${goTime(next)}`);
      this.client.patchStatus(sb, {
        lastCheckTime: rfc3339(now),
        lastScheduleTime: rfc3339(now),
        nextScheduleTime: rfc3339(next),
      });
      this.wakeAt(`ScheduledBackup/${namespace}/${name}`, next);
      return false;
    }
    const from = new Date(String(status.lastScheduleTime ?? sb.metadata.creationTimestamp));
    let next = schedule.next(from);
    let fired: Date | undefined;
    while (next.getTime() <= now.getTime()) {
      fired = next;
      next = schedule.next(next);
    }
    if (status.lastCheckTime === undefined && !fired) {
      this.events.record(sb, 'Normal', 'BackupSchedule', `Scheduled first backup by ${goTime(next)}`);
    }
    if (fired) {
      this.createBackup(sb, cluster, fired, false);
      this.events.record(sb, 'Normal', 'BackupSchedule', `Next backup scheduled by ${goTime(next)}`);
    }
    this.client.patchStatus(sb, {
      lastCheckTime: rfc3339(now),
      ...(fired ? { lastScheduleTime: rfc3339(fired) } : {}),
      nextScheduleTime: rfc3339(next),
    });
    this.wakeAt(`ScheduledBackup/${namespace}/${name}`, next);
    return false;
  }

  private createBackup(sb: KubeObject, cluster: KubeObject, at: Date, immediate: boolean): void {
    const spec = asRecord(sb.spec);
    const name = `${sb.metadata.name}-${compactTime(at)}`;
    if (this.client.get('Backup', sb.metadata.namespace, name)) return;
    const owner =
      spec.backupOwnerReference === 'self'
        ? sb
        : spec.backupOwnerReference === 'cluster'
          ? cluster
          : undefined;
    this.client.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: {
        name,
        namespace: sb.metadata.namespace!,
        labels: {
          'cnpg.io/cluster': String(asRecord(spec.cluster).name),
          'cnpg.io/immediateBackup': String(immediate),
          'cnpg.io/scheduled-backup': sb.metadata.name!,
        },
        ...(owner ? { ownerReferences: [ownerRef(owner)] } : {}),
      },
      spec: {
        cluster: { name: String(asRecord(spec.cluster).name) },
        method: spec.method ?? 'barmanObjectStore',
        ...(spec.target ? { target: spec.target } : {}),
        ...(spec.pluginConfiguration ? { pluginConfiguration: spec.pluginConfiguration } : {}),
        ...(spec.online !== undefined ? { online: spec.online } : {}),
        ...(spec.onlineConfiguration ? { onlineConfiguration: spec.onlineConfiguration } : {}),
      },
    });
  }
}
