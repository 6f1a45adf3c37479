import { backupRestore } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Identity, OWNER_LABEL } from '../../identity.js';
import {
  type Access,
  type ImageChoice,
  ownerOf,
  requireImageAllowed,
  requireObjectStoreAllowed,
} from '../../policy.js';
import { reserveCluster } from '../../quota/cluster-quota.js';
import { type ClusterObject, majorFromImage } from '../cluster/model.js';
import {
  type NameClaims,
  operatorSecretReferences,
  readNameClaims,
  requireNameUnclaimed,
} from '../cluster/name-claims.js';
import { mutation } from '../cluster/ops.js';
import { requireInstanceQuota, requireStorageQuota } from '../cluster/quota.js';
import { clusterOf, str } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { Kind, KubeObject } from '../framework/kinds.js';
import type { Observed } from '../framework/references.js';
import { objectStoreReference } from './destination.js';
import { BACKUP_HINT, clusterBackupPlugin, DEFAULT_BACKUP_PLUGIN, seenObject } from './model.js';
import { restoreOutcome } from './restore-outcome.js';

type Args = z.output<typeof backupRestore.inputSchema>;

/** The name the new cluster gives the backup's source in externalClusters. */
const SOURCE = 'origin';
const TARGET_ARGS = ['target_time', 'target_lsn', 'target_xid'] as const;

/** What the restore observed: the Backup, its source Cluster when it still exists, the catalog the source's image comes from. */
export interface RestoreSeen {
  backup: KubeObject;
  source?: ClusterObject | undefined;
  catalog?: KubeObject | undefined;
  /** The Barman Cloud ObjectStore the source cluster archives to, when it uses one. */
  objectStore?: KubeObject | undefined;
  /** What already names the new cluster (Poolers holding its Service names, others' objects it would inherit). */
  claims: NameClaims;
}

export interface RestorePlan {
  /** The new Cluster's body (the writer adds the caller's owner labels). */
  cluster: KubeObject;
  sourceName: string;
  recoveryTarget: Record<string, unknown>;
  /** The recovery target the call gave, for the message (`to time 2026-…`). */
  pitr: string;
}

/**
 * The image catalog the new cluster would reuse from its source (no `image` argument, the source
 * names a catalog of `kind`), so the framework reads it and the plan can apply the images rule.
 */
function sourceCatalogName(args: Args, seen: Observed, kind: Kind): string | undefined {
  if (args.image) return undefined;
  const spec = (seen.source as ClusterObject | undefined)?.spec;
  const ref = spec?.imageName ? undefined : spec?.imageCatalogRef;
  if (!ref?.name) return undefined;
  return (ref.kind === 'ClusterImageCatalog' ? 'ClusterImageCatalog' : 'ImageCatalog') === kind
    ? ref.name
    : undefined;
}

/** The ObjectStore the source cluster's backup plugin names, which the restore's external cluster names too. */
function sourceObjectStore(source: ClusterObject | undefined): string | undefined {
  return (source && clusterBackupPlugin(source)?.parameters?.barmanObjectName) || undefined;
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

/** The image the new cluster runs: the argument, else the source's image or catalog; checked against the images rule. */
function chooseImage(args: Args, seen: RestoreSeen, access: Access) {
  const source = seen.source;
  const catalogRef = args.image || source?.spec?.imageName ? undefined : source?.spec?.imageCatalogRef;
  const image = args.image ?? source?.spec?.imageName ?? (catalogRef ? undefined : source?.status?.image);
  let choice: ImageChoice | undefined;
  if (image) choice = { kind: 'image', image };
  else if (catalogRef?.name) {
    if (!seen.catalog) throw new Error('the source cluster names an image catalog that was not read');
    const catalogKind = catalogRef.kind === 'ClusterImageCatalog' ? 'ClusterImageCatalog' : 'ImageCatalog';
    choice = {
      kind: 'catalog',
      catalogKind,
      name: catalogRef.name,
      adminMade: catalogKind === 'ClusterImageCatalog' || ownerOf(seen.catalog) === undefined,
    };
  }
  if (choice) requireImageAllowed(access, choice);
  return { image, catalogRef: catalogRef?.name ? catalogRef : undefined };
}

/** The volume snapshots a volume-snapshot Backup recorded (CloudNativePG's status.snapshotBackupStatus). */
function snapshotElements(backup: KubeObject): { name: string; type: string }[] {
  return (
    (backup.status?.snapshotBackupStatus as { elements?: { name: string; type: string }[] } | undefined)
      ?.elements ?? []
  );
}

/**
 * The new cluster's WAL volume: `wal_storage_size`, else the source cluster's. A backup with a WAL
 * volume snapshot restores it into one, so the cluster must have it (CloudNativePG's webhook
 * refuses recovery.volumeSnapshots.walStorage without spec.walStorage).
 */
function walStorageOf(
  args: Args,
  backup: KubeObject,
  source: ClusterObject | undefined,
  sourceName: string,
): { size: string; storageClass?: string } | undefined {
  const size = args.wal_storage_size ?? source?.spec?.walStorage?.size;
  const storageClass = source?.spec?.walStorage?.storageClass ?? args.storage_class;
  const hasWalSnapshot = snapshotElements(backup).some((e) => e.type === 'PG_WAL');
  if (!size && hasWalSnapshot) {
    throw new ToolFailure(
      'invalid_input',
      `wal_storage_size: required, because backup ${args.backup} has a WAL volume snapshot to restore and ${source ? `the source cluster ${sourceName} has no WAL volume` : `the source cluster ${sourceName} no longer exists`}`,
    );
  }
  return size ? { size, ...(storageClass ? { storageClass } : {}) } : undefined;
}

/**
 * A point in time this backup can reach: PostgreSQL refuses a recovery target before the backup's
 * consistent point ("requested recovery stop point is before consistent recovery point") and never
 * reaches one after the last archived WAL, so a target time before the backup ended or in the
 * future is outside the window.
 */
function requireTargetTimeInWindow(args: Args, backup: KubeObject, now = Date.now()): void {
  if (args.target_time === undefined) return;
  const target = Date.parse(args.target_time);
  const stopped = str(backup.status?.stoppedAt);
  if (stopped && target < Date.parse(stopped)) {
    throw new ToolFailure(
      'invalid_input',
      `target_time: ${args.target_time} is before backup ${args.backup} ended (${stopped}); a backup restores only to points after it ended — choose an earlier backup or a later time`,
    );
  }
  if (target > now) {
    throw new ToolFailure(
      'invalid_input',
      `target_time: ${args.target_time} is in the future; WAL is archived only up to now`,
    );
  }
}

/**
 * The new cluster a restore creates, or a refusal: one recovery target at most, a completed
 * backup, an allowed image of the backup's major version, the caller's instance and storage
 * quotas, a name nothing else claims (as for cluster_create). Ownership of the Backup and of its source Cluster is checked by the framework before
 * this runs, so the object-store and plugin settings copied here are always the caller's own.
 */
export function planRestore(
  args: Args,
  seen: RestoreSeen,
  caller: { access: Access; identity: Identity },
): RestorePlan {
  const targets = TARGET_ARGS.filter((k) => args[k] !== undefined);
  if (targets.length > 1)
    throw new ToolFailure('invalid_input', `${targets.join(', ')}: give at most one recovery target`);
  // PostgreSQL reads recovery_target_xid as a 32-bit transaction id; CloudNativePG refuses more.
  if (args.target_xid !== undefined && Number(args.target_xid) > 0xffffffff) {
    throw new ToolFailure('invalid_input', 'target_xid: a transaction id is at most 4294967295');
  }
  const { backup, source } = seen;
  const phase = str(backup.status?.phase);
  if (phase !== 'completed') {
    throw new ToolFailure(
      'precondition',
      `backup ${args.backup} is "${phase || 'new'}", not completed; only completed backups can be restored`,
    );
  }
  const sourceName = clusterOf(backup);
  requireTargetTimeInWindow(args, backup);
  if (seen.objectStore) requireObjectStoreAllowed(caller.access, caller.identity, seen.objectStore);
  const { image, catalogRef } = chooseImage(args, seen, caller.access);
  const backupMajor =
    typeof backup.status?.majorVersion === 'number' ? backup.status.majorVersion : undefined;
  const imageMajor = majorFromImage(image) ?? catalogRef?.major;
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
  const walStorage = walStorageOf(args, backup, source, sourceName);
  requireInstanceQuota(caller.access, args.instances);
  requireStorageQuota(caller.access, args.instances, storageSize, walStorage?.size);
  requireNameUnclaimed(args.name, seen.claims, caller.identity.userId);

  const recoveryTarget: Record<string, unknown> = {
    ...(args.target_time ? { targetTime: args.target_time } : {}),
    ...(args.target_lsn ? { targetLSN: args.target_lsn } : {}),
    ...(args.target_xid ? { targetXID: args.target_xid } : {}),
    ...(targets.length && !args.target_inclusive ? { exclusive: true } : {}),
  };
  const { recovery, externalClusters } = recoveryFrom(
    args,
    backup,
    source,
    sourceName,
    targets,
    recoveryTarget,
  );
  const storageClass = args.storage_class ?? source?.spec?.storage?.storageClass;
  const spec: Record<string, unknown> = {
    instances: args.instances,
    ...(image ? { imageName: image } : catalogRef ? { imageCatalogRef: catalogRef } : {}),
    storage: { size: storageSize, ...(storageClass ? { storageClass } : {}) },
    ...(walStorage ? { walStorage } : {}),
    bootstrap: { recovery },
    ...(externalClusters ? { externalClusters } : {}),
    inheritedMetadata: { labels: { [OWNER_LABEL]: caller.identity.userId } },
  };
  const first = targets[0];
  return {
    cluster: { metadata: { name: args.name }, spec },
    sourceName,
    recoveryTarget,
    pitr: first ? ` to ${first.replace('target_', '')} ${args[first]}` : '',
  };
}

/** bootstrap.recovery (and the external WAL source it needs) for the backup's method. */
function recoveryFrom(
  args: Args,
  backup: KubeObject,
  source: ClusterObject | undefined,
  sourceName: string,
  targets: readonly (typeof TARGET_ARGS)[number][],
  recoveryTarget: Record<string, unknown>,
): { recovery: Record<string, unknown>; externalClusters?: Record<string, unknown>[] } {
  const method = str(backup.status?.method) || str(backup.spec?.method) || 'barmanObjectStore';
  if (method === 'plugin') {
    const pluginName =
      str((backup.spec?.pluginConfiguration as { name?: string } | undefined)?.name) || undefined;
    const external = pluginSource(source, sourceName, pluginName);
    if (!external) {
      throw new ToolFailure(
        'precondition',
        `restoring a plugin backup needs the source cluster ${sourceName} and its backup plugin settings, which are gone`,
      );
    }
    const backupId = backupIdFor(args, backup, targets);
    return {
      recovery: {
        source: SOURCE,
        recoveryTarget: { ...(backupId ? { backupID: backupId } : {}), ...recoveryTarget },
      },
      externalClusters: [external],
    };
  }
  if (method === 'volumeSnapshot') {
    const elements = snapshotElements(backup);
    const data = elements.find((e) => e.type === 'PG_DATA');
    if (!data)
      throw new ToolFailure('precondition', `backup ${args.backup} records no PG_DATA volume snapshot`);
    const wal = elements.find((e) => e.type === 'PG_WAL');
    const snapshot = (name: string) => ({
      name,
      kind: 'VolumeSnapshot',
      apiGroup: 'snapshot.storage.k8s.io',
    });
    const volumeSnapshots = {
      storage: snapshot(data.name),
      ...(wal ? { walStorage: snapshot(wal.name) } : {}),
    };
    if (!targets.length) return { recovery: { volumeSnapshots } };
    const external = pluginSource(source, sourceName, undefined);
    if (!external) {
      throw new ToolFailure(
        'invalid_input',
        `${targets[0]}: point-in-time recovery from a volume snapshot needs the WAL archive of ${sourceName} (a backup plugin), which it does not have`,
      );
    }
    return { recovery: { volumeSnapshots, source: SOURCE, recoveryTarget }, externalClusters: [external] };
  }
  const backupId = backupIdFor(args, backup, targets);
  return {
    recovery: {
      backup: { name: args.backup },
      ...(targets.length
        ? { recoveryTarget: { ...(backupId ? { backupID: backupId } : {}), ...recoveryTarget } }
        : {}),
    },
  };
}

/**
 * The backup's id for recoveryTarget.backupID. Recovering from a backup catalog (object store or
 * plugin) to a transaction id, restore point or the backup's end needs it, since only a time or
 * LSN lets the catalog pick the backup (CloudNativePG's webhook: "BackupID is missing"); plugin
 * restores always name it. Snapshot restores read the snapshots themselves and must not.
 */
function backupIdFor(
  args: Args,
  backup: KubeObject,
  targets: readonly (typeof TARGET_ARGS)[number][],
): string | undefined {
  const backupId = str(backup.status?.backupId) || undefined;
  const method = str(backup.status?.method) || str(backup.spec?.method) || 'barmanObjectStore';
  const needsId = targets.includes('target_xid');
  if (needsId && !backupId) {
    throw new ToolFailure(
      'precondition',
      `target_xid: backup ${args.backup} records no backup id, which recovery to a transaction id needs; restore to a time or LSN instead`,
    );
  }
  return method === 'plugin' || needsId ? backupId : undefined;
}

export const backupRestoreTool = defineTool({
  definition: backupRestore,
  references: {
    backup: {
      kind: 'Backup',
      intent: 'use',
      role: 'the backup to restore',
      name: (args) => args.backup,
      hint: BACKUP_HINT,
    },
    source: {
      kind: 'Cluster',
      intent: 'use',
      optional: true,
      role: 'the cluster the backup was taken from',
      name: (_args, seen) => (seen.backup ? clusterOf(seen.backup) || undefined : undefined),
    },
    catalog: {
      kind: 'ImageCatalog',
      intent: 'use',
      ownership: 'policy',
      role: 'the image catalog of the source cluster',
      name: (args, seen) => sourceCatalogName(args, seen, 'ImageCatalog'),
    },
    clusterCatalog: {
      kind: 'ClusterImageCatalog',
      intent: 'use',
      ownership: 'policy',
      role: 'the cluster image catalog of the source cluster',
      name: (args, seen) => sourceCatalogName(args, seen, 'ClusterImageCatalog'),
    },
    objectStore: objectStoreReference<Args>(
      (_args, seen) => sourceObjectStore(seen.source as ClusterObject | undefined),
      'the object store the source cluster archives to',
    ),
    ...operatorSecretReferences<Args>(),
    target: { kind: 'Cluster', intent: 'create', role: 'the new cluster', name: (args) => args.name },
  },
  async run(args, ctx) {
    const seen: RestoreSeen = {
      backup: seenObject(ctx.seen, 'backup'),
      source: ctx.seen.source as ClusterObject | undefined,
      catalog: ctx.seen.catalog ?? ctx.seen.clusterCatalog,
      objectStore: ctx.seen.objectStore,
      claims: await readNameClaims(ctx, args.name),
    };
    const plan = planRestore(args, seen, ctx);
    const reservation = await reserveCluster(ctx.quota, ctx, {
      namespace: ctx.namespace,
      name: args.name,
      dryRun: args.dry_run,
    });
    let created: ClusterObject;
    try {
      created = (await ctx.write.create<KubeObject>('Cluster', plan.cluster)) as unknown as ClusterObject;
    } catch (error) {
      await reservation.release();
      throw error;
    }
    await reservation.confirm();
    const message = `cluster ${ctx.namespace}/${args.name} created from backup ${args.backup} of ${plan.sourceName}${plan.pitr}`;
    const base = {
      ...mutation(ctx.namespace, args.name, 'restored', args.dry_run, message, created),
      sourceCluster: plan.sourceName,
      backup: args.backup,
      recoveryTarget: plan.recoveryTarget,
    };
    return restoreOutcome(ctx, args, created, message, base);
  },
});
