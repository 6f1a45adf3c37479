/**
 * VolumeSnapshots (snapshot.storage.k8s.io/v1) as CNPG's volumeSnapshot backups make them
 * (pkg/reconciler/backup/volumesnapshot: one per PVC of the target instance, named after the backup
 * with `-wal` for the WAL volume, the PVC's role labels moved to annotations, the backup's labels),
 * and the CSI snapshot controller's part: a bound content, a creation time, then readyToUse.
 */
import { randomUUID } from 'node:crypto';
import { asRecord, type KubeObject } from '../../types.js';
import { rfc3339 } from '../../util/clock.js';
import { ownerRef } from './cluster-objects.js';

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

/** Labels CNPG moves from the PVC's labels to the snapshot's annotations. */
const TRANSFERRED = ['cnpg.io/instanceName', 'cnpg.io/instanceRole', 'role', 'cnpg.io/pvcRole'];

export function snapshotName(backupName: string, pvc: KubeObject): string {
  return pvc.metadata.labels?.['cnpg.io/pvcRole'] === 'PG_WAL' ? `${backupName}-wal` : backupName;
}

export function buildVolumeSnapshot(
  pvc: KubeObject,
  backup: KubeObject,
  cluster: KubeObject,
  majorVersion: number,
  now: Date,
): KubeObject {
  const config = asRecord(asRecord(asRecord(cluster.spec).backup).volumeSnapshot);
  const labels: Record<string, string> = {
    ...pvc.metadata.labels,
    ...(asRecord(config.labels) as Record<string, string>),
  };
  const annotations: Record<string, string> = {
    ...pvc.metadata.annotations,
    ...(asRecord(config.annotations) as Record<string, string>),
  };
  for (const key of TRANSFERRED) {
    if (labels[key] === undefined) continue;
    annotations[key] = labels[key];
    delete labels[key];
  }
  const isWal = pvc.metadata.labels?.['cnpg.io/pvcRole'] === 'PG_WAL';
  const className = (isWal ? config.walClassName : undefined) ?? config.className;
  const online = asRecord(backup.spec).online ?? config.online ?? true;
  const owner = config.snapshotOwnerReference;
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return {
    apiVersion: `${SNAPSHOT_GROUP}/v1`,
    kind: 'VolumeSnapshot',
    metadata: {
      name: snapshotName(backup.metadata.name!, pvc),
      namespace: pvc.metadata.namespace!,
      labels: {
        ...labels,
        'cnpg.io/backupName': backup.metadata.name!,
        'cnpg.io/majorVersion': String(majorVersion),
        'app.kubernetes.io/managed-by': 'cloudnative-pg',
        'app.kubernetes.io/name': 'postgresql',
        'app.kubernetes.io/instance': cluster.metadata.name!,
        'app.kubernetes.io/version': String(majorVersion),
        'app.kubernetes.io/component': 'database',
        'cnpg.io/backupDate': day,
        'cnpg.io/backupMonth': day.slice(0, 6),
        'cnpg.io/backupYear': day.slice(0, 4),
        'cnpg.io/backupTimeline': String(asRecord(cluster.status).timelineID ?? 1),
      },
      annotations: {
        ...annotations,
        'cnpg.io/onlineBackup': String(online),
        'cnpg.io/clusterManifest': JSON.stringify(cluster),
      },
      ...(owner === 'cluster' || owner === 'backup'
        ? { ownerReferences: [ownerRef(owner === 'cluster' ? cluster : backup)] }
        : {}),
    },
    spec: {
      source: { persistentVolumeClaimName: pvc.metadata.name! },
      ...(typeof className === 'string' ? { volumeSnapshotClassName: className } : {}),
    },
  };
}

/** The CSI snapshot controller cut the snapshot: content bound, creation time, size. */
export function provisioned(snapshot: KubeObject, pvc: KubeObject | undefined, now: Date): KubeObject {
  const size = asRecord(asRecord(asRecord(pvc?.spec).resources).requests).storage;
  return {
    ...snapshot,
    metadata: {
      ...snapshot.metadata,
      annotations: {
        ...snapshot.metadata.annotations,
        'cnpg.io/snapshotStartTime': rfc3339(now),
        'cnpg.io/snapshotEndTime': rfc3339(now),
      },
    },
    status: {
      boundVolumeSnapshotContentName: `snapcontent-${randomUUID()}`,
      creationTime: rfc3339(now),
      readyToUse: false,
      ...(typeof size === 'string' ? { restoreSize: size } : {}),
    },
  };
}

export function isProvisioned(snapshot: KubeObject): boolean {
  return asRecord(snapshot.status).creationTime !== undefined;
}

export function isReadyToUse(snapshot: KubeObject): boolean {
  return asRecord(snapshot.status).readyToUse === true;
}

/** status.snapshotBackupStatus.elements of the Backup (BackupSnapshotStatus.SetSnapshotElements). */
export function snapshotElements(snapshots: KubeObject[]): { name: string; type: string }[] {
  return snapshots.map((s) => ({
    name: s.metadata.name!,
    type: s.metadata.annotations?.['cnpg.io/pvcRole'] ?? '',
  }));
}
