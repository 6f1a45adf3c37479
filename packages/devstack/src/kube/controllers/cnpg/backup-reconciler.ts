/**
 * Backups: pending → running → completed, or failed with CNPG's messages when the cluster cannot
 * take one. Backups of a cluster run one at a time in creation order.
 */
import { randomBytes } from 'node:crypto';
import { imageMajor } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject } from '../../types.js';
import { type Clock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import type { InstanceLogWriter } from '../instance-logs.js';
import { type Condition, setCondition } from './cluster-status.js';

const TERMINAL = new Set(['completed', 'failed']);

export class BackupReconciler {
  constructor(
    private readonly client: ControllerClient,
    private readonly events: EventRecorder,
    private readonly instanceLogs: InstanceLogWriter,
    private readonly clock: Clock,
  ) {}

  private failureReason(backup: KubeObject, cluster: KubeObject): string | undefined {
    const spec = asRecord(backup.spec);
    const clusterSpec = asRecord(cluster.spec);
    const method = (spec.method as string | undefined) ?? 'barmanObjectStore';
    if (cluster.metadata.annotations?.['cnpg.io/hibernation'] === 'on')
      return 'cannot backup a hibernated cluster';
    if (method === 'plugin') {
      const plugin = asRecord(spec.pluginConfiguration).name;
      const plugins = (clusterSpec.plugins as { name: string }[] | undefined) ?? [];
      if (!plugins.some((p) => p.name === plugin))
        return 'cannot proceed with the backup as the cluster has no plugin configured';
      return undefined;
    }
    const backupSection = asRecord(clusterSpec.backup);
    if (clusterSpec.backup === undefined)
      return 'cannot proceed with the backup as the cluster has no backup section';
    if (method === 'volumeSnapshot' && backupSection.volumeSnapshot === undefined) {
      return 'no volumeSnapshot section defined on the target cluster';
    }
    if (method === 'barmanObjectStore' && backupSection.barmanObjectStore === undefined) {
      return 'no barmanObjectStore section defined on the target cluster';
    }
    return undefined;
  }

  reconcile(namespace: string, name: string): boolean {
    const backup = this.client.get('Backup', namespace, name);
    if (!backup || backup.metadata.deletionTimestamp) return false;
    const status = asRecord(backup.status);
    if (TERMINAL.has(String(status.phase))) return false;
    const spec = asRecord(backup.spec);
    const clusterName = String(asRecord(spec.cluster).name ?? '');
    const cluster = this.client.get('Cluster', namespace, clusterName);
    const now = rfc3339(this.clock.now());
    if (!cluster) {
      if (status.phase !== 'pending') {
        this.client.patchStatus(backup, { phase: 'pending' });
        this.events.record(
          backup,
          'Warning',
          'FindingCluster',
          `Unknown cluster ${clusterName}, will retry in 30 seconds`,
        );
      }
      return false;
    }
    const failure = this.failureReason(backup, cluster);
    if (failure) {
      this.client.patchStatus(backup, {
        phase: 'failed',
        error: failure,
        method: spec.method ?? 'barmanObjectStore',
      });
      this.events.record(backup, 'Warning', 'FailedBackup', failure);
      this.client.patchStatus(cluster, {
        conditions: setCondition(
          asRecord(cluster.status).conditions as Condition[] | undefined,
          { type: 'LastBackupSucceeded', status: 'False', reason: 'LastBackupFailed', message: failure },
          now,
        ),
        lastFailedBackup: now,
      });
      return false;
    }
    const primary = asRecord(cluster.status).currentPrimary as string | undefined;
    if (!primary) {
      if (status.phase !== 'pending') this.client.patchStatus(backup, { phase: 'pending' });
      return false;
    }
    if (this.blockedByEarlierBackup(backup, clusterName)) {
      if (status.phase !== 'pending') this.client.patchStatus(backup, { phase: 'pending' });
      return false;
    }
    if (status.phase === undefined || status.phase === 'pending') {
      const target = this.targetPod(backup, cluster, primary);
      this.client.patchStatus(backup, {
        phase: 'running',
        method: spec.method ?? 'barmanObjectStore',
        online: spec.online ?? true,
        startedAt: now,
        reconciliationStartedAt: now,
        instanceID: { podName: target, ContainerID: `containerd://${randomBytes(32).toString('hex')}` },
        serverName: clusterName,
        backupName: name,
      });
      this.instanceLogs.manager(namespace, target, 'Starting backup', { backupName: name });
      this.events.record(backup, 'Normal', 'Starting', `Starting backup for cluster ${clusterName}`);
      this.client.patchStatus(cluster, {
        conditions: setCondition(
          asRecord(cluster.status).conditions as Condition[] | undefined,
          {
            type: 'LastBackupSucceeded',
            status: 'False',
            reason: 'BackupStarted',
            message: 'New Backup starting up',
          },
          now,
        ),
      });
      return true;
    }
    this.complete(backup, cluster, now);
    return false;
  }

  private targetPod(backup: KubeObject, cluster: KubeObject, primary: string): string {
    const target =
      (asRecord(backup.spec).target as string | undefined) ??
      (asRecord(asRecord(cluster.spec).backup).target as string | undefined) ??
      'prefer-standby';
    if (target === 'primary') return primary;
    const names = (asRecord(cluster.status).instanceNames as string[] | undefined) ?? [];
    return names.find((n) => n !== primary) ?? primary;
  }

  private blockedByEarlierBackup(backup: KubeObject, clusterName: string): boolean {
    return this.client
      .list('Backup', backup.metadata.namespace)
      .some(
        (b) =>
          b.metadata.uid !== backup.metadata.uid &&
          asRecord(asRecord(b.spec).cluster).name === clusterName &&
          asRecord(b.status).phase === 'running' &&
          asRecord(backup.status).phase !== 'running',
      );
  }

  private complete(backup: KubeObject, cluster: KubeObject, now: string): void {
    const spec = asRecord(backup.spec);
    const method = (spec.method as string | undefined) ?? 'barmanObjectStore';
    const started = String(asRecord(backup.status).startedAt ?? now);
    const lsn = (n: number) => `0/${(n * 0x1000000).toString(16).toUpperCase()}`;
    const seq = Math.floor(this.clock.now().getTime() / 1000) % 0xffff;
    const wal = (n: number) => `00000001000000000000${n.toString(16).toUpperCase().padStart(4, '0')}`;
    const store = asRecord(asRecord(asRecord(cluster.spec).backup).barmanObjectStore);
    this.client.patchStatus(backup, {
      phase: 'completed',
      stoppedAt: now,
      reconciliationTerminatedAt: now,
      backupId: started.replace(/[-:]/g, '').replace('Z', ''),
      beginWal: wal(seq),
      endWal: wal(seq + 1),
      beginLSN: lsn(seq),
      endLSN: lsn(seq + 1),
      majorVersion: imageMajor(String(asRecord(cluster.status).image ?? '')) ?? 18,
      ...(method === 'barmanObjectStore' && typeof store.destinationPath === 'string'
        ? { destinationPath: store.destinationPath }
        : {}),
      ...(method === 'plugin'
        ? { pluginMetadata: { pluginName: String(asRecord(spec.pluginConfiguration).name) } }
        : {}),
    });
    this.events.record(backup, 'Normal', 'Completed', 'Backup completed');
    const clusterStatus = asRecord(cluster.status);
    const byMethod = { ...asRecord(clusterStatus.lastSuccessfulBackupByMethod), [method]: now };
    const firstByMethod = { [method]: started, ...asRecord(clusterStatus.firstRecoverabilityPointByMethod) };
    this.client.patchStatus(cluster, {
      ...(method !== 'plugin'
        ? {
            lastSuccessfulBackup: now,
            firstRecoverabilityPoint: clusterStatus.firstRecoverabilityPoint ?? started,
          }
        : {}),
      lastSuccessfulBackupByMethod: byMethod,
      firstRecoverabilityPointByMethod: firstByMethod,
      conditions: setCondition(
        clusterStatus.conditions as Condition[] | undefined,
        {
          type: 'LastBackupSucceeded',
          status: 'True',
          reason: 'LastBackupSucceeded',
          message: 'Backup was successful',
        },
        now,
      ),
    });
  }
}
