import { backupRestoreFromStore } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Identity, OWNER_LABEL } from '../../identity.js';
import { type Access, PolicyDenied, requireObjectStoreAllowed } from '../../policy.js';
import { reserveCluster } from '../../quota/cluster-quota.js';
import { imageSpec, requireImageChoiceAllowed, requireOneImageChoice } from '../cluster/image.js';
import type { ClusterObject } from '../cluster/model.js';
import {
  type NameClaims,
  operatorSecretReferences,
  readNameClaims,
  requireNameUnclaimed,
} from '../cluster/name-claims.js';
import { mutation } from '../cluster/ops.js';
import { requireInstanceQuota, requireStorageQuota } from '../cluster/quota.js';
import { clusterOf, listObjects, str } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Observed } from '../framework/references.js';
import { describeDestination, objectStoreReference } from './destination.js';
import { DEFAULT_BACKUP_PLUGIN, seenObject } from './model.js';
import { restoreOutcome } from './restore-outcome.js';

type Args = z.output<typeof backupRestoreFromStore.inputSchema>;

const SOURCE = 'origin';
const TARGETS = ['target_time', 'target_lsn', 'target_xid', 'target_name', 'target_immediate'] as const;
/** Targets CloudNativePG's webhook accepts from an object store only with recoveryTarget.backupID. */
const NEED_BACKUP_ID = new Set<string>(['target_xid', 'target_name', 'target_immediate']);

const namespaceOf = (seen: Observed) => seen.objectStore?.metadata.namespace ?? '';

/** The cluster of the namespace that archives into this store under this server name, if one does. */
async function archivingCluster(args: Args, seen: Observed, kube: KubeReads): Promise<string | undefined> {
  if (!seen.objectStore) return undefined;
  const clusters = (await listObjects({ kube }, 'clusters', namespaceOf(seen))) as ClusterObject[];
  return clusters.find((cluster) => {
    const destination = describeDestination(cluster);
    return destination.objectStore === args.object_store && destination.serverName === args.server_name;
  })?.metadata.name;
}

/**
 * When no cluster archives there any more: a Backup taken of a cluster named like the server (the
 * plugin's default server name), which records who made that cluster's backups: the newest made
 * through cnpg-mcp (Backups a ScheduledBackup made carry no owner label), else the newest. The
 * framework then checks it is the caller's.
 */
async function archiveBackup(args: Args, seen: Observed, kube: KubeReads): Promise<string | undefined> {
  if (!seen.objectStore || seen.archiveCluster) return undefined;
  const backups = (await listObjects({ kube }, 'backups', namespaceOf(seen)))
    .filter((b) => clusterOf(b) === args.server_name && str(b.spec?.method) === 'plugin')
    .sort((a, b) => str(b.metadata.creationTimestamp).localeCompare(str(a.metadata.creationTimestamp)));
  const labelled = backups.find((b) => b.metadata.labels?.[OWNER_LABEL] !== undefined);
  return (labelled ?? backups[0])?.metadata.name;
}

export interface StoreRestoreSeen {
  objectStore: KubeObject;
  archiveCluster?: KubeObject | undefined;
  archiveBackup?: KubeObject | undefined;
  claims: NameClaims;
}

/**
 * The recovery window the plugin records for a server (ObjectStore status.serverRecoveryWindow):
 * a target time before its first recoverability point or in the future cannot be reached.
 */
function requireTargetInWindow(args: Args, store: KubeObject, now: number): void {
  const windows = (store.status?.serverRecoveryWindow ?? {}) as Record<string, Record<string, unknown>>;
  const first = str(windows[args.server_name]?.firstRecoverabilityPoint);
  if (!first && !args.backup_id) {
    throw new ToolFailure(
      'precondition',
      `ObjectStore ${args.object_store} records no backup of server ${args.server_name} (status.serverRecoveryWindow); there is nothing to restore — backup_destination_get shows a cluster's server name`,
    );
  }
  if (args.target_time === undefined) return;
  const target = Date.parse(args.target_time);
  if (first && target < Date.parse(first)) {
    throw new ToolFailure(
      'invalid_input',
      `target_time: ${args.target_time} is before the first recoverability point of ${args.server_name} (${first}); choose a later time`,
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
 * Pure: the new cluster, or a refusal — one target at most and CloudNativePG's backupID rule, a
 * reachable target time, an allowed store and image, an archive shown to be the caller's, the
 * quotas and a name nothing else claims.
 */
export function planStoreRestore(
  args: Args,
  seen: StoreRestoreSeen,
  caller: { access: Access; identity: Identity },
  now = Date.now(),
) {
  const targets = TARGETS.filter((k) => args[k] !== undefined && args[k] !== false);
  if (targets.length > 1)
    throw new ToolFailure('invalid_input', `${targets.join(', ')}: give at most one recovery target`);
  if (args.target_xid !== undefined && Number(args.target_xid) > 0xffffffff)
    throw new ToolFailure('invalid_input', 'target_xid: a transaction id is at most 4294967295');
  const first = targets[0];
  if (first && NEED_BACKUP_ID.has(first) && !args.backup_id) {
    throw new ToolFailure(
      'invalid_input',
      `backup_id: required with ${first} when restoring from an object store (CloudNativePG: "BackupID is missing"); backup_get shows a backup's backupId`,
    );
  }
  requireObjectStoreAllowed(caller.access, caller.identity, seen.objectStore);
  if (!caller.access.admin && !seen.archiveCluster && !seen.archiveBackup) {
    throw new PolicyDenied(
      'ownership',
      `nothing in this namespace shows that server ${args.server_name} in ObjectStore ${args.object_store} is yours (no cluster archives there, no Backup of a cluster named ${args.server_name}); only an admin may restore it`,
    );
  }
  requireTargetInWindow(args, seen.objectStore, now);
  requireOneImageChoice(args, false);
  requireImageChoiceAllowed(caller.access, args, {});
  requireInstanceQuota(caller.access, args.instances);
  requireStorageQuota(caller.access, args.instances, args.storage_size, args.wal_storage_size);
  requireNameUnclaimed(args.name, seen.claims, caller.identity.userId);
  const recoveryTarget: Record<string, unknown> = {
    ...(args.backup_id ? { backupID: args.backup_id } : {}),
    ...(args.target_time ? { targetTime: args.target_time } : {}),
    ...(args.target_lsn ? { targetLSN: args.target_lsn } : {}),
    ...(args.target_xid ? { targetXID: args.target_xid } : {}),
    ...(args.target_name ? { targetName: args.target_name } : {}),
    ...(args.target_immediate ? { targetImmediate: true } : {}),
    ...(first && first !== 'target_immediate' && !args.target_inclusive ? { exclusive: true } : {}),
  };
  const spec: Record<string, unknown> = {
    instances: args.instances,
    ...imageSpec(args),
    storage: { size: args.storage_size, ...(args.storage_class ? { storageClass: args.storage_class } : {}) },
    ...(args.wal_storage_size
      ? {
          walStorage: {
            size: args.wal_storage_size,
            ...(args.storage_class ? { storageClass: args.storage_class } : {}),
          },
        }
      : {}),
    bootstrap: {
      recovery: { source: SOURCE, ...(Object.keys(recoveryTarget).length ? { recoveryTarget } : {}) },
    },
    externalClusters: [
      {
        name: SOURCE,
        plugin: {
          name: DEFAULT_BACKUP_PLUGIN,
          parameters: { barmanObjectName: args.object_store, serverName: args.server_name },
        },
      },
    ],
    inheritedMetadata: { labels: { [OWNER_LABEL]: caller.identity.userId } },
  };
  return {
    cluster: { metadata: { name: args.name }, spec },
    recoveryTarget,
    pitr: first
      ? ` to ${first.replace('target_', '')}${first === 'target_immediate' ? '' : ` ${args[first]}`}`
      : '',
  };
}

export const backupRestoreFromStoreTool = defineTool({
  definition: backupRestoreFromStore,
  references: {
    objectStore: objectStoreReference<Args>((args) => args.object_store, 'the object store to restore from'),
    archiveCluster: {
      kind: 'Cluster',
      intent: 'use',
      optional: true,
      role: 'the cluster that archives under this server name',
      name: archivingCluster,
    },
    archiveBackup: {
      kind: 'Backup',
      intent: 'use',
      optional: true,
      role: 'a backup of the cluster the archive belonged to',
      name: archiveBackup,
    },
    ...operatorSecretReferences<Args>(),
    target: { kind: 'Cluster', intent: 'create', role: 'the new cluster', name: (args) => args.name },
  },
  async run(args, ctx) {
    const plan = planStoreRestore(
      args,
      {
        objectStore: seenObject(ctx.seen, 'objectStore'),
        archiveCluster: ctx.seen.archiveCluster,
        archiveBackup: ctx.seen.archiveBackup,
        claims: await readNameClaims(ctx, args.name),
      },
      ctx,
    );
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
    const message = `cluster ${ctx.namespace}/${args.name} created from server ${args.server_name} in ObjectStore ${args.object_store}${plan.pitr}`;
    const base = {
      ...mutation(ctx.namespace, args.name, 'restored', args.dry_run, message, created),
      objectStore: args.object_store,
      serverName: args.server_name,
      recoveryTarget: plan.recoveryTarget,
    };
    return restoreOutcome(ctx, args, created, message, base);
  },
});
