/**
 * Backups as CNPG 1.30 runs them (internal/controller/backup_controller.go, the instance manager's
 * pkg/management/postgres/backup.go and webserver/plugin_backup.go, pkg/reconciler/backup/
 * volumesnapshot), one observable step at a time:
 * - barmanObjectStore: the operator marks it `started`, the instance manager `running`, then
 *   `completed` once the backup has taken its time;
 * - plugin: `started`, then `completed` (the plugin reports no `running`); a cluster enabling a
 *   plugin the operator does not have leaves the Backup without a phase, as the operator cannot
 *   load its plugins;
 * - volumeSnapshot: `started`, VolumeSnapshots cut for each volume of the target instance,
 *   `finalizing` with `snapshotBackupStatus` until they are ready to use, then `completed`.
 * Prerequisite failures are `failed` with CNPG's messages and event reasons. Backups of one cluster
 * run one at a time, in creation order.
 */
import { randomBytes } from 'node:crypto';
import { imageMajor } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject } from '../../types.js';
import { type Clock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import type { InstanceLogWriter } from '../instance-logs.js';
import { isReady } from './cluster-context.js';
import { type Condition, setCondition } from './cluster-status.js';
import {
  BARMAN_CLOUD_PLUGIN,
  enabledPlugins,
  type OperatorSettings,
  unknownPlugins,
} from './operator-settings.js';
import { compactTime } from './scheduled-backup-reconciler.js';
import {
  buildVolumeSnapshot,
  isProvisioned,
  isReadyToUse,
  provisioned,
  snapshotElements,
} from './volume-snapshots.js';
import { recordRecoveryWindow, walArchiverPlugin } from './wal-archiving.js';

const TERMINAL = new Set(['completed', 'failed']);
const IN_FLIGHT = new Set(['started', 'running', 'finalizing']);

type Method = 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';

const STARTING = {
  type: 'LastBackupSucceeded',
  status: 'False',
  reason: 'BackupStarted',
  message: 'New Backup starting up',
} as const;
const SUCCEEDED = {
  type: 'LastBackupSucceeded',
  status: 'True',
  reason: 'LastBackupSucceeded',
  message: 'Backup was successful',
} as const;

export class BackupReconciler {
  /** Plugin backups the instance manager has handed to their plugin (by Backup uid). */
  private readonly pluginRuns = new Set<string>();

  constructor(
    private readonly client: ControllerClient,
    private readonly events: EventRecorder,
    private readonly instanceLogs: InstanceLogWriter,
    private readonly clock: Clock,
    private readonly settings: OperatorSettings,
    /** Asks to be called again at (emulated) time `at`. */
    private readonly wakeAt: (key: string, at: Date) => void,
  ) {}

  reconcile(namespace: string, name: string): boolean {
    const backup = this.client.get('Backup', namespace, name);
    if (!backup || backup.metadata.deletionTimestamp) return false;
    if (backup.metadata.annotations?.['cnpg.io/reconciliationLoop'] === 'disabled') return false;
    const status = asRecord(backup.status);
    if (TERMINAL.has(String(status.phase))) return false;
    const spec = asRecord(backup.spec);
    const clusterName = String(asRecord(spec.cluster).name ?? '');
    const cluster = this.client.get('Cluster', namespace, clusterName);
    if (!cluster) {
      if (status.phase !== 'pending') {
        this.events.record(
          backup,
          'Warning',
          'FindingCluster',
          `Unknown cluster ${clusterName}, will retry in 30 seconds`,
        );
        this.client.patchStatus(backup, { phase: 'pending', error: undefined });
      }
      return false;
    }
    const method = (spec.method as Method | undefined) ?? 'barmanObjectStore';
    const missing = this.missingPrerequisite(method, cluster);
    if (missing) {
      this.events.record(backup, 'Warning', missing.reason, missing.message);
      this.fail(backup, cluster, missing.message);
      return false;
    }
    // The operator loads the cluster's plugins first; one it does not have stops it there.
    if (unknownPlugins(asRecord(cluster.spec), this.settings).length > 0) return false;
    if (!IN_FLIGHT.has(String(status.phase)) && this.earlierBackupInProgress(backup, clusterName)) {
      if (status.phase !== 'pending') this.client.patchStatus(backup, { phase: 'pending', error: undefined });
      return false;
    }
    if (status.phase === undefined || status.phase === 'pending') return this.start(backup, cluster, method);
    if (method === 'volumeSnapshot') return this.snapshotStep(backup, cluster);
    if (method === 'plugin') return this.pluginStep(backup, cluster);
    return this.barmanStep(backup, cluster);
  }

  /** checkPrerequisites: what makes a backup fail before it starts. */
  private missingPrerequisite(
    method: Method,
    cluster: KubeObject,
  ): { message: string; reason: string } | undefined {
    const spec = asRecord(cluster.spec);
    if (cluster.metadata.annotations?.['cnpg.io/hibernation'] === 'on') {
      return { message: 'cannot backup a hibernated cluster', reason: 'ClusterIsHibernated' };
    }
    if (method === 'plugin') {
      return Array.isArray(spec.plugins) && spec.plugins.length > 0
        ? undefined
        : {
            message: 'cannot proceed with the backup as the cluster has no plugin configured',
            reason: 'ClusterHasNoBackupExecutorPlugin',
          };
    }
    if (spec.backup === undefined) {
      return {
        message: 'cannot proceed with the backup as the cluster has no backup section',
        reason: 'ClusterHasBackupConfigured',
      };
    }
    const section = asRecord(spec.backup);
    if (method === 'volumeSnapshot' && section.volumeSnapshot === undefined) {
      return {
        message: 'no volumeSnapshot section defined on the target cluster',
        reason: 'ClusterHasNoVolumeSnapshotSection',
      };
    }
    if (method === 'barmanObjectStore' && section.barmanObjectStore === undefined) {
      return {
        message: 'no barmanObjectStore section defined on the target cluster',
        reason: 'ClusterHasNoBarmanSection',
      };
    }
    return undefined;
  }

  /** Backups run one at a time per cluster, oldest first (BackupList.CanExecuteBackup). */
  private earlierBackupInProgress(backup: KubeObject, clusterName: string): boolean {
    const created = (b: KubeObject) => `${b.metadata.creationTimestamp}/${b.metadata.name}`;
    return this.client.list('Backup', backup.metadata.namespace).some((b) => {
      if (b.metadata.uid === backup.metadata.uid) return false;
      if (asRecord(asRecord(b.spec).cluster).name !== clusterName) return false;
      const phase = String(asRecord(b.status).phase ?? '');
      if (IN_FLIGHT.has(phase)) return true;
      return !TERMINAL.has(phase) && created(b) < created(backup);
    });
  }

  private targetPod(backup: KubeObject, cluster: KubeObject): KubeObject | undefined {
    const primary = asRecord(cluster.status).currentPrimary as string | undefined;
    const target =
      (asRecord(backup.spec).target as string | undefined) ??
      (asRecord(asRecord(cluster.spec).backup).target as string | undefined) ??
      'prefer-standby';
    const pods = this.client
      .list('Pod', cluster.metadata.namespace, {
        'cnpg.io/cluster': cluster.metadata.name!,
        'cnpg.io/podRole': 'instance',
      })
      .filter((p) => !p.metadata.deletionTimestamp);
    const standby = pods.find((p) => p.metadata.name !== primary && isReady(p));
    return (
      (target === 'prefer-standby' ? standby : undefined) ?? pods.find((p) => p.metadata.name === primary)
    );
  }

  /** The operator elects the instance and marks the backup started. */
  private start(backup: KubeObject, cluster: KubeObject, method: Method): boolean {
    const primary = String(asRecord(cluster.status).currentPrimary ?? '');
    const pod = this.targetPod(backup, cluster);
    if (!pod || !isReady(pod)) {
      if (asRecord(backup.status).phase !== 'pending') {
        this.events.record(
          backup,
          'Warning',
          pod ? 'BackupPending' : 'FindingPod',
          pod
            ? `Backup target pod not ready: ${primary}`
            : `Couldn't find target pod ${primary}, will retry in 30 seconds`,
        );
        this.client.patchStatus(backup, { phase: 'pending', error: undefined });
      }
      return false;
    }
    const now = rfc3339(this.clock.now());
    const containerID = (
      asRecord(pod.status).containerStatuses as { containerID?: string }[] | undefined
    )?.[0]?.containerID;
    const started: Record<string, unknown> = {
      phase: 'started',
      error: undefined,
      method,
      reconciliationStartedAt: now,
      majorVersion: imageMajor(String(asRecord(cluster.status).image ?? '')) ?? 18,
      instanceID: {
        podName: pod.metadata.name,
        ContainerID: containerID ?? `containerd://${randomBytes(32).toString('hex')}`,
        ...(method === 'volumeSnapshot' ? {} : { sessionID: randomBytes(8).toString('hex') }),
      },
    };
    if (method === 'volumeSnapshot') {
      Object.assign(started, {
        backupId: backup.metadata.name,
        backupName: backup.metadata.name,
        startedAt: now,
      });
      this.clusterCondition(cluster, STARTING);
    } else {
      this.events.record(
        backup,
        'Normal',
        'Starting',
        `Starting backup for cluster ${cluster.metadata.name}`,
      );
    }
    this.client.patchStatus(backup, started);
    return true;
  }

  /** In-tree Barman Cloud: the instance manager runs barman-cloud-backup. */
  private barmanStep(backup: KubeObject, cluster: KubeObject): boolean {
    const status = asRecord(backup.status);
    const pod = String(asRecord(status.instanceID).podName);
    if (status.phase === 'started') {
      const store = asRecord(asRecord(asRecord(cluster.spec).backup).barmanObjectStore);
      this.client.patchStatus(backup, {
        phase: 'running',
        backupName: `backup-${compactTime(this.clock.now())}`,
        destinationPath: store.destinationPath,
        ...(store.endpointURL ? { endpointURL: store.endpointURL } : {}),
        ...(asRecord(store.data).encryption ? { encryption: asRecord(store.data).encryption } : {}),
        serverName: typeof store.serverName === 'string' ? store.serverName : cluster.metadata.name,
      });
      this.instanceLogs.manager(backup.metadata.namespace!, pod, 'Starting backup', {
        backupName: backup.metadata.name,
      });
      this.events.record(backup, 'Normal', 'Starting', 'Backup started');
      this.clusterCondition(cluster, STARTING);
      return true;
    }
    if (this.stillRunning(backup)) return false;
    const now = this.clock.now();
    this.client.patchStatus(backup, { phase: 'completed', ...this.takenBackup(backup, now) });
    this.instanceLogs.manager(backup.metadata.namespace!, pod, 'Backup completed', {
      backupName: backup.metadata.name,
    });
    this.events.record(backup, 'Normal', 'Completed', 'Backup completed');
    this.clusterCondition(cluster, SUCCEEDED);
    this.updateBackupTimes(
      cluster,
      'barmanObjectStore',
      String(status.reconciliationStartedAt),
      rfc3339(now),
    );
    return false;
  }

  /** A CNPG-i plugin backup: started, then completed by the plugin (no running phase). */
  private pluginStep(backup: KubeObject, cluster: KubeObject): boolean {
    const pluginName = String(asRecord(asRecord(backup.spec).pluginConfiguration).name ?? '');
    const uid = backup.metadata.uid!;
    if (!this.pluginRuns.has(uid)) {
      if (!enabledPlugins(asRecord(cluster.spec)).includes(pluginName)) {
        this.events.record(backup, 'Normal', 'Failed', 'Backup failed');
        this.fail(backup, cluster, `requested plugin is not available: ${pluginName}`);
        return false;
      }
      this.pluginRuns.add(uid);
      this.events.record(backup, 'Normal', 'Starting', 'Backup started');
      this.clusterCondition(cluster, STARTING);
      return true;
    }
    if (this.stillRunning(backup)) return false;
    this.pluginRuns.delete(uid);
    const now = this.clock.now();
    this.client.patchStatus(backup, {
      phase: 'completed',
      ...this.takenBackup(backup, now),
      backupName: `backup-${compactTime(now)}`,
      online: true,
      pluginMetadata: {
        timeline: String(asRecord(cluster.status).timelineID ?? 1),
        name: pluginName,
        pluginName,
        clusterUID: cluster.metadata.uid!,
      },
    });
    this.events.record(backup, 'Normal', 'Completed', 'Backup completed');
    this.clusterCondition(cluster, SUCCEEDED);
    this.recordInObjectStore(cluster, pluginName, rfc3339(now));
    return false;
  }

  /** The Barman Cloud plugin keeps its catalog's recovery window in the ObjectStore it archives to. */
  private recordInObjectStore(cluster: KubeObject, pluginName: string, backupTime: string): void {
    if (pluginName !== BARMAN_CLOUD_PLUGIN) return;
    const archiver = walArchiverPlugin(asRecord(cluster.spec));
    const parameters = asRecord(archiver?.parameters);
    const storeName = String(parameters.barmanObjectName ?? '');
    const store = storeName
      ? this.client.get('ObjectStore', cluster.metadata.namespace, storeName)
      : undefined;
    if (!store) return;
    const serverName = String(parameters.serverName ?? cluster.metadata.name);
    recordRecoveryWindow(this.client, store, serverName, backupTime);
  }

  /** Operator-managed snapshots of every volume of the target instance. */
  private snapshotStep(backup: KubeObject, cluster: KubeObject): boolean {
    const ns = backup.metadata.namespace!;
    const status = asRecord(backup.status);
    const instance = String(asRecord(status.instanceID).podName);
    const now = this.clock.now();
    const snapshots = this.client.list('VolumeSnapshot', ns, { 'cnpg.io/backupName': backup.metadata.name! });
    if (snapshots.length === 0) {
      const pvcs = this.client.list('PersistentVolumeClaim', ns, { 'cnpg.io/instanceName': instance });
      const major = Number(status.majorVersion ?? 18);
      for (const pvc of pvcs) {
        this.events.record(
          backup,
          'Normal',
          'CreateSnapshot',
          `Creating VolumeSnapshot for PVC ${pvc.metadata.name}`,
        );
        this.client.create(buildVolumeSnapshot(pvc, backup, cluster, major, now));
      }
      return true;
    }
    const pending = snapshots.find((s) => !isProvisioned(s));
    if (pending) {
      for (const snapshot of snapshots.filter((s) => !isProvisioned(s))) {
        const pvc = this.client.get(
          'PersistentVolumeClaim',
          ns,
          String(asRecord(asRecord(snapshot.spec).source).persistentVolumeClaimName),
        );
        this.client.update(provisioned(snapshot, pvc, now));
      }
      return true;
    }
    if (status.phase === 'started') {
      const config = asRecord(asRecord(asRecord(cluster.spec).backup).volumeSnapshot);
      const wal = `00000001000000000000${(Math.floor(now.getTime() / 1000) % 0xffff).toString(16).toUpperCase().padStart(4, '0')}`;
      this.client.patchStatus(backup, {
        phase: 'finalizing',
        online: asRecord(backup.spec).online ?? config.online ?? true,
        snapshotBackupStatus: { elements: snapshotElements(snapshots) },
        beginWal: wal,
        endWal: wal,
      });
      return true;
    }
    const unready = snapshots.filter((s) => !isReadyToUse(s));
    if (unready.length > 0) {
      if (this.stillRunning(backup)) return false;
      for (const snapshot of unready) {
        this.client.update({ ...snapshot, status: { ...asRecord(snapshot.status), readyToUse: true } });
      }
      return true;
    }
    const stopped = rfc3339(now);
    for (const snapshot of snapshots) {
      snapshot.metadata.annotations = {
        ...snapshot.metadata.annotations,
        'cnpg.io/backupStartTime': String(status.startedAt),
        'cnpg.io/backupEndTime': stopped,
      };
      this.client.update(snapshot);
    }
    this.client.patchStatus(backup, {
      phase: 'completed',
      stoppedAt: stopped,
      reconciliationTerminatedAt: stopped,
    });
    this.clusterCondition(cluster, SUCCEEDED);
    this.updateBackupTimes(cluster, 'volumeSnapshot', String(status.startedAt), stopped);
    return false;
  }

  /** True (and a wake-up asked for) while the backup has not yet taken its time. */
  private stillRunning(backup: KubeObject): boolean {
    const since = Date.parse(String(asRecord(backup.status).reconciliationStartedAt));
    const done = since + this.settings.backupDurationMs;
    if (Number.isNaN(since) || this.clock.now().getTime() >= done) return false;
    this.wakeAt(`Backup/${backup.metadata.namespace}/${backup.metadata.name}`, new Date(done));
    return true;
  }

  /** What barman-cloud reports about the backup it took. */
  private takenBackup(backup: KubeObject, now: Date): Record<string, unknown> {
    const status = asRecord(backup.status);
    const started = String(status.reconciliationStartedAt ?? rfc3339(now));
    const seq = Math.floor(now.getTime() / 1000) % 0xffff;
    const lsn = (n: number) => `0/${(n * 0x1000000).toString(16).toUpperCase()}`;
    const wal = (n: number) => `00000001000000000000${n.toString(16).toUpperCase().padStart(4, '0')}`;
    const stopped = rfc3339(now);
    return {
      backupId: compactTime(new Date(started)).replace(/^(\d{8})(\d{6})$/, '$1T$2'),
      startedAt: started,
      stoppedAt: stopped,
      reconciliationTerminatedAt: stopped,
      beginWal: wal(seq),
      endWal: wal(seq + 1),
      beginLSN: lsn(seq),
      endLSN: lsn(seq + 1),
    };
  }

  /** FlagBackupAsFailed: the backup failed, the cluster's last failed backup and condition. */
  private fail(backup: KubeObject, cluster: KubeObject, message: string): void {
    const now = rfc3339(this.clock.now());
    this.client.patchStatus(backup, {
      phase: 'failed',
      error: message,
      method: asRecord(backup.spec).method ?? 'barmanObjectStore',
      reconciliationTerminatedAt: now,
    });
    this.client.patchStatus(cluster, { lastFailedBackup: now });
    this.clusterCondition(cluster, {
      type: 'LastBackupSucceeded',
      status: 'False',
      reason: 'LastBackupFailed',
      message,
    });
  }

  private clusterCondition(cluster: KubeObject, condition: Omit<Condition, 'lastTransitionTime'>): void {
    const current = this.client.get('Cluster', cluster.metadata.namespace, cluster.metadata.name!);
    if (!current) return;
    this.client.patchStatus(current, {
      conditions: setCondition(
        asRecord(current.status).conditions as Condition[] | undefined,
        condition,
        rfc3339(this.clock.now()),
      ),
    });
  }

  /** Cluster.UpdateBackupTimes for the in-tree methods (plugins keep their own catalog). */
  private updateBackupTimes(cluster: KubeObject, method: Method, first: string, last: string): void {
    const current = this.client.get('Cluster', cluster.metadata.namespace, cluster.metadata.name!);
    if (!current) return;
    const status = asRecord(current.status);
    const firstBy = { [method]: first, ...asRecord(status.firstRecoverabilityPointByMethod) } as Record<
      string,
      string
    >;
    const lastBy = { ...asRecord(status.lastSuccessfulBackupByMethod), [method]: last } as Record<
      string,
      string
    >;
    this.client.patchStatus(current, {
      firstRecoverabilityPointByMethod: firstBy,
      firstRecoverabilityPoint: Object.values(firstBy).sort()[0],
      lastSuccessfulBackupByMethod: lastBy,
      lastSuccessfulBackup: Object.values(lastBy).sort().at(-1),
    });
  }
}
