import { clusterStatus } from '@cnpg-mcp/catalog';
import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { z } from 'zod';
import {
  backupOverviewOf,
  describeDestination,
  describeOverview,
  objectStoreReference,
} from '../backups/destination.js';
import { type CnpgObject, clusterOf, listObjects, str } from '../common/objects.js';
import { defineTool } from '../context.js';
import { type ClusterObject, fencedInstances, majorFromImage, namedCluster, seenCluster } from './model.js';
import { summarize, withoutManagedFields } from './ops.js';
import {
  describeValidation,
  overdueValidationReference,
  restoreOverdueValidation,
} from './validation-bypass.js';

type Args = z.output<typeof clusterStatus.inputSchema>;

async function listOrEmpty<T>(load: () => Promise<{ items?: T[] }>): Promise<T[]> {
  try {
    return (await load()).items ?? [];
  } catch {
    return [];
  }
}

/**
 * The cluster's last completed backup: the newest of status.lastSuccessfulBackup (which
 * CloudNativePG sets only for in-tree barmanObjectStore backups) and the completed Backup objects
 * of the cluster — the only record of plugin and volume-snapshot backups. A Backup that ended
 * before this cluster was created belongs to an earlier cluster of the same name.
 */
export function lastSuccessfulBackup(
  cluster: ClusterObject,
  backups: readonly CnpgObject[],
): { at: string; backup: string } {
  const created = Date.parse(cluster.metadata.creationTimestamp ?? '') || 0;
  let last = { at: cluster.status?.lastSuccessfulBackup ?? '', backup: '' };
  for (const backup of backups) {
    const at = str(backup.status?.stoppedAt);
    if (clusterOf(backup) !== cluster.metadata.name || str(backup.status?.phase) !== 'completed' || !at)
      continue;
    if (Date.parse(at) < created) continue;
    if (!last.at || Date.parse(at) > Date.parse(last.at)) last = { at, backup: backup.metadata.name };
  }
  return last;
}

export const clusterStatusTool = defineTool({
  definition: clusterStatus,
  references: {
    cluster: namedCluster<Args>('read'),
    overdueValidation: overdueValidationReference<Args>(),
    objectStore: {
      ...objectStoreReference<Args>(
        (_args, seen) => describeDestination(seenCluster(seen)).objectStore || undefined,
        'the object store the cluster archives to',
      ),
      intent: 'read',
      optional: true,
    },
  },
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const { validation, cluster } = await restoreOverdueValidation(ctx, seenCluster(ctx.seen));
    const status = cluster.status ?? {};
    const selector = `cnpg.io/cluster=${args.name},cnpg.io/podRole=instance`;
    const [pods, pvcs, backups] = await Promise.all([
      listOrEmpty<V1Pod>(() =>
        ctx.kube.core.listNamespacedPod({ namespace, labelSelector: selector }, ctx.kube.options),
      ),
      listOrEmpty<V1PersistentVolumeClaim>(() =>
        ctx.kube.core.listNamespacedPersistentVolumeClaim(
          { namespace, labelSelector: `cnpg.io/cluster=${args.name}` },
          ctx.kube.options,
        ),
      ),
      listOrEmpty<CnpgObject>(async () => ({ items: await listObjects(ctx, 'backups', namespace) })),
    ]);
    const lastBackup = lastSuccessfulBackup(cluster, backups);
    const backupsOverview = backupOverviewOf(cluster, backups, ctx.seen.objectStore);
    const fenced = fencedInstances(cluster);
    const names = new Set(
      [...(status.instanceNames ?? []), ...pods.map((p) => p.metadata?.name ?? '')].filter(Boolean),
    );
    const instances = [...names].sort().map((instance) => {
      const pod = pods.find((p) => p.metadata?.name === instance);
      const pvc = pvcs.find((p) => p.metadata?.name === instance);
      const roleLabel = pod?.metadata?.labels?.['cnpg.io/instanceRole'] ?? pod?.metadata?.labels?.role;
      const role: 'primary' | 'replica' | 'unknown' =
        roleLabel === 'primary' || instance === status.currentPrimary
          ? 'primary'
          : roleLabel === 'replica' || pod
            ? 'replica'
            : 'unknown';
      return {
        name: instance,
        role,
        ready: pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        phase: pod?.status?.phase ?? 'Missing',
        node: pod?.spec?.nodeName ?? '',
        restarts: (pod?.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
        fenced: fenced.includes('*') || fenced.includes(instance),
        pvcSize: pvc?.status?.capacity?.storage ?? pvc?.spec?.resources?.requests?.storage ?? '',
      };
    });
    const structured = {
      cluster: summarize(cluster),
      phaseReason: status.phaseReason ?? '',
      targetPrimary: status.targetPrimary ?? '',
      timelineID: status.timelineID ?? 0,
      postgresMajor:
        status.pgDataImageInfo?.majorVersion ?? majorFromImage(status.image ?? cluster.spec?.imageName) ?? 0,
      storage: {
        size: cluster.spec?.storage?.size ?? '',
        storageClass: cluster.spec?.storage?.storageClass ?? '',
        walSize: cluster.spec?.walStorage?.size ?? '',
      },
      instances,
      replication: {
        healthy: status.instancesStatus?.healthy ?? [],
        replicating: status.instancesStatus?.replicating ?? [],
        failed: status.instancesStatus?.failed ?? [],
      },
      fencedInstances: fenced,
      maintenanceInProgress: cluster.spec?.nodeMaintenanceWindow?.inProgress ?? false,
      conditions: (status.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        reason: c.reason ?? '',
        message: c.message ?? '',
      })),
      certificates: Object.entries(status.certificates?.expirations ?? {}).map(([secret, expires]) => ({
        secret,
        expires,
      })),
      lastSuccessfulBackup: lastBackup.at,
      firstRecoverabilityPoint: backupsOverview.firstRecoverabilityPoint,
      backups: backupsOverview,
      validation,
      ...(args.detail === 'detailed'
        ? { spec: cluster.spec ?? {}, status: withoutManagedFields(cluster).status ?? {} }
        : {}),
    };
    const s = structured.cluster;
    const text = [
      `Cluster ${namespace}/${s.name}: ${s.hibernated ? 'hibernated' : s.phase || 'pending'}${structured.phaseReason ? ` (${structured.phaseReason})` : ''}`,
      `Instances ${s.readyInstances}/${s.instances} ready, primary ${s.primary || '-'}${structured.targetPrimary && structured.targetPrimary !== s.primary ? ` → ${structured.targetPrimary}` : ''}, timeline ${structured.timelineID}`,
      `Image ${s.image || '-'} (PostgreSQL ${structured.postgresMajor || '?'}), storage ${structured.storage.size}${structured.storage.walSize ? ` + WAL ${structured.storage.walSize}` : ''}`,
      ...instances.map(
        (i) =>
          `  ${i.name}  ${i.role}  ${i.ready ? 'ready' : 'not ready'}  ${i.phase}${i.node ? `  node=${i.node}` : ''}${i.fenced ? '  FENCED' : ''}${i.restarts ? `  restarts=${i.restarts}` : ''}`,
      ),
      ...structured.conditions.map(
        (c) => `  condition ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`,
      ),
      ...structured.certificates.map((c) => `  certificate ${c.secret} expires ${c.expires}`),
      `Last backup: ${lastBackup.at ? `${lastBackup.at}${lastBackup.backup ? ` (${lastBackup.backup})` : ''}` : 'none recorded'}`,
      ...describeOverview(backupsOverview).filter((line) => !line.startsWith('Last successful')),
      describeValidation(validation),
    ]
      .filter(Boolean)
      .join('\n');
    return { structured, text };
  },
});
