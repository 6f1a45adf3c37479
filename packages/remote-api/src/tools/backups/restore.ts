import { backupRestore } from '@cnpg-mcp/catalog';
import { OWNER_LABEL } from '../../identity.js';
import { translateKubeError } from '../../kube/errors.js';
import { requireWritable } from '../../policy.js';
import { type ClusterObject, majorFromImage, PHASE_HEALTHY } from '../cluster/model.js';
import { getCluster, mutation, resolveNamespace } from '../cluster/ops.js';
import { checkClusterCountQuota, checkInstanceQuota, checkStorageQuota } from '../cluster/quota.js';
import { clusterOf, createObject, getObject, str } from '../common/objects.js';
import { pollUntil } from '../common/wait.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import { clusterBackupPlugin, DEFAULT_BACKUP_PLUGIN } from './model.js';

const SOURCE = 'origin';

async function sourceCluster(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
): Promise<ClusterObject | undefined> {
  try {
    return await getCluster(ctx, namespace, name);
  } catch (error) {
    if (error instanceof ToolFailure && error.kind === 'not_found') return undefined;
    throw translateKubeError(error) ?? error;
  }
}

/** The WAL source of the original cluster, through its backup plugin (needed for plugin restores and PITR from snapshots). */
function pluginSource(source: ClusterObject | undefined, sourceName: string, pluginName: string | undefined) {
  const plugin = source ? clusterBackupPlugin(source) : undefined;
  if (!plugin) return undefined;
  return {
    name: SOURCE,
    plugin: {
      name: pluginName ?? plugin.name ?? DEFAULT_BACKUP_PLUGIN,
      parameters: { ...(plugin.parameters ?? {}), serverName: plugin.parameters?.serverName ?? sourceName },
    },
  };
}

export const backupRestoreTool = implement(backupRestore, async (args, ctx) => {
  const targets = (['target_time', 'target_lsn', 'target_xid'] as const).filter((k) => args[k] !== undefined);
  if (targets.length > 1)
    throw new ToolFailure('invalid_input', `${targets.join(', ')}: give at most one recovery target`);
  requireWritable(ctx.access);
  const namespace = resolveNamespace(ctx, args.namespace);
  const backup = await getObject(ctx, 'backups', namespace, args.backup, 'backup_list shows what exists');
  const phase = str(backup.status?.phase);
  if (phase !== 'completed') {
    throw new ToolFailure(
      'precondition',
      `backup ${args.backup} is "${phase || 'new'}", not completed; only completed backups can be restored`,
    );
  }
  const sourceName = clusterOf(backup);
  const source = await sourceCluster(ctx, namespace, sourceName);
  const backupMajor =
    typeof backup.status?.majorVersion === 'number' ? backup.status.majorVersion : undefined;
  const image =
    args.image ??
    source?.spec?.imageName ??
    (source?.spec?.imageCatalogRef ? undefined : source?.status?.image);
  const imageMajor = majorFromImage(image) ?? source?.spec?.imageCatalogRef?.major;
  if (backupMajor !== undefined && imageMajor !== undefined && backupMajor !== imageMajor) {
    throw new ToolFailure(
      'invalid_input',
      `image: PostgreSQL ${imageMajor} does not match the backup's major version ${backupMajor}; restore with the same major, then upgrade`,
    );
  }
  const storageSize = args.storage_size ?? source?.spec?.storage?.size;
  if (!storageSize) {
    throw new ToolFailure(
      'invalid_input',
      `storage_size: required, because the source cluster ${sourceName} no longer exists`,
    );
  }
  checkInstanceQuota(ctx, args.instances);
  checkStorageQuota(ctx, args.instances, storageSize, source?.spec?.walStorage?.size);
  await checkClusterCountQuota(ctx);

  const recoveryTarget: Record<string, unknown> = {
    ...(args.target_time ? { targetTime: args.target_time } : {}),
    ...(args.target_lsn ? { targetLSN: args.target_lsn } : {}),
    ...(args.target_xid ? { targetXID: args.target_xid } : {}),
    ...(targets.length && !args.target_inclusive ? { exclusive: true } : {}),
  };
  const method = str(backup.status?.method) || str(backup.spec?.method) || 'barmanObjectStore';
  const pluginName =
    str((backup.spec?.pluginConfiguration as { name?: string } | undefined)?.name) || undefined;
  let recovery: Record<string, unknown>;
  let externalClusters: Record<string, unknown>[] | undefined;
  if (method === 'plugin') {
    const external = pluginSource(source, sourceName, pluginName);
    if (!external) {
      throw new ToolFailure(
        'precondition',
        `restoring a plugin backup needs the source cluster ${sourceName} and its backup plugin settings, which are gone`,
      );
    }
    externalClusters = [external];
    const backupId = str(backup.status?.backupId);
    recovery = {
      source: SOURCE,
      recoveryTarget: { ...(backupId ? { backupID: backupId } : {}), ...recoveryTarget },
    };
  } else if (method === 'volumeSnapshot') {
    const elements =
      (backup.status?.snapshotBackupStatus as { elements?: { name: string; type: string }[] } | undefined)
        ?.elements ?? [];
    const data = elements.find((e) => e.type === 'PG_DATA');
    if (!data)
      throw new ToolFailure('precondition', `backup ${args.backup} records no PG_DATA volume snapshot`);
    const wal = elements.find((e) => e.type === 'PG_WAL');
    const snapshot = (name: string) => ({
      name,
      kind: 'VolumeSnapshot',
      apiGroup: 'snapshot.storage.k8s.io',
    });
    recovery = {
      volumeSnapshots: { storage: snapshot(data.name), ...(wal ? { walStorage: snapshot(wal.name) } : {}) },
    };
    if (targets.length) {
      const external = pluginSource(source, sourceName, undefined);
      if (!external) {
        throw new ToolFailure(
          'invalid_input',
          `${targets[0]}: point-in-time recovery from a volume snapshot needs the WAL archive of ${sourceName} (a backup plugin), which it does not have`,
        );
      }
      externalClusters = [external];
      recovery = { ...recovery, source: SOURCE, recoveryTarget };
    }
  } else {
    recovery = { backup: { name: args.backup }, ...(targets.length ? { recoveryTarget } : {}) };
  }

  const walStorage = source?.spec?.walStorage;
  const spec: Record<string, unknown> = {
    instances: args.instances,
    ...(image
      ? { imageName: image }
      : source?.spec?.imageCatalogRef
        ? { imageCatalogRef: source.spec.imageCatalogRef }
        : {}),
    storage: {
      size: storageSize,
      ...((args.storage_class ?? source?.spec?.storage?.storageClass)
        ? { storageClass: args.storage_class ?? source?.spec?.storage?.storageClass }
        : {}),
    },
    ...(walStorage?.size
      ? {
          walStorage: {
            size: walStorage.size,
            ...(walStorage.storageClass ? { storageClass: walStorage.storageClass } : {}),
          },
        }
      : {}),
    bootstrap: { recovery },
    ...(externalClusters ? { externalClusters } : {}),
    inheritedMetadata: { labels: { [OWNER_LABEL]: ctx.identity.userId } },
  };
  const created = (await createObject(
    ctx,
    'clusters',
    namespace,
    args.name,
    spec,
    args.dry_run,
  )) as ClusterObject;
  const pitr = targets.length ? ` to ${targets[0]?.replace('target_', '')} ${args[targets[0]!]}` : '';
  const message = `cluster ${namespace}/${args.name} created from backup ${args.backup} of ${sourceName}${pitr}`;
  const base = {
    ...mutation(namespace, args.name, 'restored', args.dry_run, message, created),
    sourceCluster: sourceName,
    backup: args.backup,
    recoveryTarget,
  };
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, phase: str(created.status?.phase), waited: false },
      text: args.dry_run
        ? `Dry run (nothing written): ${message}`
        : `${message}. Follow it with cluster_status. The new cluster has no backups configured.`,
    };
  }
  const { value, outcome } = await pollUntil(
    ctx,
    args.wait_timeout_seconds,
    () => getCluster(ctx, namespace, args.name),
    (cluster) => {
      const ready = cluster.status?.readyInstances ?? 0;
      const phase = cluster.status?.phase ?? 'Pending';
      return {
        done: phase === PHASE_HEALTHY && ready >= args.instances,
        progress: ready,
        total: args.instances,
        line: `${phase}: ${ready}/${args.instances} instances ready`,
      };
    },
  );
  const phaseNow = value.status?.phase ?? '';
  const final =
    outcome === 'done'
      ? `${message}; healthy`
      : `${message}; ${outcome === 'cancelled' ? 'waiting was cancelled' : `not healthy after ${args.wait_timeout_seconds}s`} at "${phaseNow}"`;
  return { structured: { ...base, message: final, phase: phaseNow, waited: true }, text: final };
});
