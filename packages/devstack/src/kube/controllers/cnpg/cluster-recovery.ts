/**
 * Bootstrap from a backup, as CNPG 1.30's operator and restore job see it
 * (internal/controller/cluster_create.go: getOriginBackup, checkReadyForRecovery,
 * persistentvolumeclaim.VerifyDataSourceCoherence; pkg/management/postgres/restore.go):
 * - `recovery.backup` waits for a Backup that exists ("ErrorNoBackup" event while it is missing)
 *   and has completed; a volumeSnapshot Backup restores from its VolumeSnapshots;
 * - `recovery.volumeSnapshots` waits for coherent, ready VolumeSnapshots (or PVCs);
 * - `recovery.source` starts the full-recovery job, which fails when the external cluster's object
 *   store (barmanObjectStore or Barman Cloud plugin) holds no backup to start from.
 * The emulator's object stores are the completed Backups that wrote to them.
 */
import { asRecord, type KubeObject } from '../../types.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';

type Ref = { name: string; kind?: string; apiGroup?: string };

/** Where the first instance's volumes come from, once the source is ready. */
export interface RecoverySource {
  storage?: Ref;
  walStorage?: Ref;
}

function recoveryOf(cluster: KubeObject): Record<string, unknown> | undefined {
  const recovery = asRecord(asRecord(cluster.spec).bootstrap).recovery;
  return recovery === undefined ? undefined : asRecord(recovery);
}

function snapshotRef(name: string): Ref {
  return { name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' };
}

/** The snapshots a volumeSnapshot Backup took (GetCandidateStorageSourceForPrimary). */
function backupSnapshots(backup: KubeObject): RecoverySource {
  const elements =
    (asRecord(asRecord(backup.status).snapshotBackupStatus).elements as
      | { name: string; type: string }[]
      | undefined) ?? [];
  const data = elements.find((e) => e.type === 'PG_DATA');
  const wal = elements.find((e) => e.type === 'PG_WAL');
  return {
    ...(data ? { storage: snapshotRef(data.name) } : {}),
    ...(wal ? { walStorage: snapshotRef(wal.name) } : {}),
  };
}

/** VerifyDataSourceCoherence, plus what provisioning waits for: the snapshots are ready to use. */
function snapshotsUsable(client: ControllerClient, ns: string, source: RecoverySource): boolean {
  const read = (ref: Ref | undefined) => {
    if (!ref) return undefined;
    return ref.kind === 'PersistentVolumeClaim'
      ? client.get('PersistentVolumeClaim', ns, ref.name)
      : client.get('VolumeSnapshot', ns, ref.name);
  };
  const data = read(source.storage);
  const wal = read(source.walStorage);
  const roleOf = (o: KubeObject) =>
    o.metadata.labels?.['cnpg.io/pvcRole'] ?? o.metadata.annotations?.['cnpg.io/pvcRole'] ?? '';
  const ready = (o: KubeObject) =>
    o.kind === 'PersistentVolumeClaim' || asRecord(o.status).readyToUse === true;
  if (!data || roleOf(data) !== 'PG_DATA' || !ready(data)) return false;
  if (!source.walStorage) return true;
  if (!wal || roleOf(wal) !== 'PG_WAL' || !ready(wal)) return false;
  return data.metadata.labels?.['cnpg.io/backupName'] === wal.metadata.labels?.['cnpg.io/backupName'];
}

/**
 * The recovery source when it is ready (`{}` for initdb, pg_basebackup and object-store recovery),
 * or undefined while the operator must wait.
 */
export function readyRecoverySource(
  client: ControllerClient,
  events: EventRecorder,
  cluster: KubeObject,
): RecoverySource | undefined {
  const recovery = recoveryOf(cluster);
  if (!recovery) return {};
  const ns = cluster.metadata.namespace!;
  let source: RecoverySource = {};
  if (recovery.backup !== undefined) {
    const name = String(asRecord(recovery.backup).name ?? '');
    const backup = client.get('Backup', ns, name);
    if (!backup) {
      events.record(cluster, 'Warning', 'ErrorNoBackup', `Backup object "${ns}/${name}" is missing`);
      return undefined;
    }
    if (asRecord(backup.status).phase !== 'completed') return undefined;
    if (asRecord(backup.status).method === 'volumeSnapshot') source = backupSnapshots(backup);
  }
  if (recovery.volumeSnapshots !== undefined) {
    const snapshots = asRecord(recovery.volumeSnapshots);
    source = {
      storage: snapshots.storage as Ref,
      ...(snapshots.walStorage ? { walStorage: snapshots.walStorage as Ref } : {}),
    };
  }
  if (source.storage && !snapshotsUsable(client, ns, source)) return undefined;
  return source;
}

/** The external cluster a `recovery.source` names. */
function externalSource(cluster: KubeObject): Record<string, unknown> | undefined {
  const name = recoveryOf(cluster)?.source;
  if (typeof name !== 'string') return undefined;
  const list = Array.isArray(asRecord(cluster.spec).externalClusters)
    ? (asRecord(cluster.spec).externalClusters as unknown[])
    : [];
  return list.map(asRecord).find((c) => c.name === name);
}

/** Completed Backups that wrote to the object store an external cluster reads from. */
function storeBackups(client: ControllerClient, external: Record<string, unknown>): KubeObject[] {
  const completed = client.list('Backup', undefined).filter((b) => asRecord(b.status).phase === 'completed');
  const barman = asRecord(external.barmanObjectStore);
  if (external.barmanObjectStore !== undefined) {
    const serverName = typeof barman.serverName === 'string' ? barman.serverName : String(external.name);
    return completed.filter(
      (b) =>
        asRecord(b.status).method === 'barmanObjectStore' &&
        asRecord(b.status).destinationPath === barman.destinationPath &&
        asRecord(b.status).serverName === serverName,
    );
  }
  const plugin = asRecord(external.plugin);
  if (external.plugin === undefined) return [];
  const parameters = asRecord(plugin.parameters);
  // The Barman Cloud plugin files backups under serverName (default: the source cluster's name).
  const serverName =
    typeof parameters.serverName === 'string' ? parameters.serverName : String(external.name);
  return completed.filter((b) => {
    const status = asRecord(b.status);
    if (status.method !== 'plugin' || asRecord(status.pluginMetadata).pluginName !== plugin.name)
      return false;
    const sourceName = String(asRecord(asRecord(b.spec).cluster).name);
    const sourceCluster = client.get('Cluster', b.metadata.namespace, sourceName);
    const used = (
      asRecord(sourceCluster?.spec).plugins as
        | { name?: string; parameters?: Record<string, string> }[]
        | undefined
    )?.find((p) => p.name === plugin.name);
    if (
      used &&
      parameters.barmanObjectName !== undefined &&
      used.parameters?.barmanObjectName !== parameters.barmanObjectName
    ) {
      return false;
    }
    return (used?.parameters?.serverName ?? sourceName) === serverName;
  });
}

/** recoveryTarget.targetTime in ms, when it is set and in a form Date reads (RFC 3339). */
function targetTimeOf(target: Record<string, unknown>): number | undefined {
  const time = typeof target.targetTime === 'string' ? Date.parse(target.targetTime) : Number.NaN;
  return Number.isNaN(time) ? undefined : time;
}

/**
 * Why the full-recovery job of a `recovery.source` bootstrap fails, or undefined when the object
 * store has a backup to restore (the one named by recoveryTarget.backupID, when given). A
 * `targetTime` needs a backup that ended before it (barman-cloud-restore picks the newest such
 * one) and WAL up to it: a time after `now` is never reached, and PostgreSQL stops with
 * "recovery ended before configured recovery target was reached".
 */
export function restoreFailure(client: ControllerClient, cluster: KubeObject, now: Date): string | undefined {
  const external = externalSource(cluster);
  if (!external) return undefined;
  const backups = storeBackups(client, external);
  const target = asRecord(recoveryOf(cluster)?.recoveryTarget);
  const backupID = target.backupID;
  if (typeof backupID === 'string' && backupID !== '') {
    if (!backups.some((b) => asRecord(b.status).backupId === backupID))
      return `no backup with ID ${backupID} found in the object store of ${String(external.name)}`;
  } else if (targetTimeOf(target) !== undefined) {
    const time = targetTimeOf(target)!;
    if (!backups.some((b) => Date.parse(String(asRecord(b.status).stoppedAt)) <= time))
      return `no target backup found in the object store of ${String(external.name)} for target time ${target.targetTime}`;
  } else if (backups.length === 0) {
    return `no target backup found in the object store of ${String(external.name)}`;
  }
  if ((targetTimeOf(target) ?? 0) > now.getTime())
    return 'FATAL: recovery ended before configured recovery target was reached';
  return undefined;
}
