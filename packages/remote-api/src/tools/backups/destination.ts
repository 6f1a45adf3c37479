/**
 * Where a cluster's backups go and whether its WAL archiving works: the Barman Cloud plugin entry
 * (`spec.plugins[]`, the WAL archiver, its `barmanObjectName`), volume snapshots
 * (`spec.backup.volumeSnapshot.className`) and the deprecated in-tree `barmanObjectStore`.
 */
import type { Identity } from '../../identity.js';
import { type Access, requireObjectStoreAllowed, requireSnapshotClassAllowed } from '../../policy.js';
import type { ClusterObject } from '../cluster/model.js';
import { type CnpgObject, clusterOf, str } from '../common/objects.js';
import { ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { Observed, ReferenceSpec } from '../framework/references.js';
import { clusterBackupPlugin, configuredMethods, DEFAULT_BACKUP_PLUGIN } from './model.js';

export const OBJECT_STORE_HINT =
  'an administrator creates ObjectStores (barmancloud.cnpg.io/v1); backup_destination_get shows what a cluster uses';

export interface DestinationInput {
  object_store?: string | undefined;
  server_name?: string | undefined;
  volume_snapshot_class?: string | undefined;
}

/**
 * The ObjectStore a call would send backups to: read and used, with the backup-destination policy
 * (not plain ownership) deciding, as administrators make the shared ones for everyone.
 */
export function objectStoreReference<Args>(
  name: (args: Args, seen: Observed) => string | undefined,
  role = 'the object store to back up to',
): ReferenceSpec<Args> {
  return { kind: 'ObjectStore', intent: 'use', role, name, hint: OBJECT_STORE_HINT, ownership: 'policy' };
}

/** The policy's say on a destination, before anything is written. */
export function requireDestinationAllowed(
  caller: { access: Access; identity: Identity },
  input: DestinationInput,
  store: KubeObject | undefined,
): void {
  if (input.object_store) {
    if (!store) throw new Error('the declared ObjectStore reference was not read');
    requireObjectStoreAllowed(caller.access, caller.identity, store);
  }
  if (input.volume_snapshot_class) requireSnapshotClassAllowed(caller.access, input.volume_snapshot_class);
}

interface PluginEntry {
  name?: string;
  enabled?: boolean;
  isWALArchiver?: boolean;
  parameters?: Record<string, string>;
}

const pluginsOf = (spec: Record<string, unknown>): PluginEntry[] =>
  (Array.isArray(spec.plugins) ? spec.plugins : []) as PluginEntry[];

/**
 * The `plugins` and `backup` parts of a Cluster spec with the destination applied (others left as
 * they are), refusing what CloudNativePG's webhook would: a second WAL archiver, or a WAL archiver
 * plugin next to the in-tree barmanObjectStore.
 */
export function destinationSpec(
  spec: Record<string, unknown>,
  input: DestinationInput,
): { plugins?: PluginEntry[]; backup?: Record<string, unknown> } {
  if (!input.object_store && !input.volume_snapshot_class) {
    throw new ToolFailure('invalid_input', 'give object_store, volume_snapshot_class or both');
  }
  if (input.server_name && !input.object_store) {
    throw new ToolFailure('invalid_input', 'server_name: only with object_store');
  }
  const backup = (spec.backup ?? {}) as Record<string, unknown>;
  const out: { plugins?: PluginEntry[]; backup?: Record<string, unknown> } = {};
  if (input.object_store) {
    if (backup.barmanObjectStore) {
      throw new ToolFailure(
        'precondition',
        'object_store: the cluster archives WAL with the deprecated in-tree backup.barmanObjectStore; CloudNativePG allows only one WAL archiver, so migrate it off the in-tree store first',
      );
    }
    const others = pluginsOf(spec).filter((p) => p.name !== DEFAULT_BACKUP_PLUGIN);
    const archiver = others.find((p) => p.isWALArchiver && p.enabled !== false);
    if (archiver) {
      throw new ToolFailure(
        'precondition',
        `object_store: plugin ${archiver.name} already archives the cluster's WAL; CloudNativePG allows one WAL archiver`,
      );
    }
    out.plugins = [
      ...others,
      {
        name: DEFAULT_BACKUP_PLUGIN,
        isWALArchiver: true,
        parameters: {
          barmanObjectName: input.object_store,
          ...(input.server_name ? { serverName: input.server_name } : {}),
        },
      },
    ];
  }
  if (input.volume_snapshot_class) {
    const snapshot = (backup.volumeSnapshot ?? {}) as Record<string, unknown>;
    out.backup = { ...backup, volumeSnapshot: { ...snapshot, className: input.volume_snapshot_class } };
  }
  return out;
}

/** Where a cluster's backups go, as the tools show it. */
export function describeDestination(cluster: ClusterObject) {
  const spec = cluster.spec ?? {};
  const backup = (spec.backup ?? {}) as Record<string, unknown>;
  const plugin = clusterBackupPlugin(cluster);
  const archiver = pluginsOf(spec).find((p) => p.isWALArchiver && p.enabled !== false);
  const inTree = (backup.barmanObjectStore ?? {}) as Record<string, unknown>;
  const snapshot = (backup.volumeSnapshot ?? {}) as Record<string, unknown>;
  return {
    objectStore: str(plugin?.parameters?.barmanObjectName),
    serverName: plugin ? (plugin.parameters?.serverName ?? cluster.metadata.name) : str(inTree.serverName),
    walArchiver: archiver?.name ?? (backup.barmanObjectStore ? 'barmanObjectStore (in-tree)' : ''),
    volumeSnapshotClass: str(snapshot.className),
    inTreeObjectStore: str(inTree.destinationPath),
    methods: configuredMethods(cluster),
  };
}

/**
 * Continuous archiving and recoverability as CloudNativePG and the Barman Cloud plugin record them:
 * the `ContinuousArchiving` condition, the ObjectStore's recovery window for the cluster's server
 * name (the plugin's catalog) or the cluster status (in-tree), and the newest completed Backup of
 * each method that belongs to this cluster (not an earlier one of the same name).
 */
export function backupOverviewOf(
  cluster: ClusterObject,
  backups: readonly CnpgObject[],
  store: KubeObject | undefined,
  now = new Date(),
) {
  const destination = describeDestination(cluster);
  const condition = (cluster.status?.conditions ?? []).find((c) => c.type === 'ContinuousArchiving');
  const configured = destination.walArchiver !== '';
  const healthy = condition ? condition.status === 'True' : null;
  const windows = (store?.status?.serverRecoveryWindow ?? {}) as Record<string, Record<string, string>>;
  const window = windows[destination.serverName] ?? {};
  const created = Date.parse(cluster.metadata.creationTimestamp ?? '') || 0;
  const byMethod: Record<string, string> = {
    ...((cluster.status?.lastSuccessfulBackupByMethod ?? {}) as Record<string, string>),
  };
  for (const backup of backups) {
    const at = str(backup.status?.stoppedAt);
    if (clusterOf(backup) !== cluster.metadata.name || str(backup.status?.phase) !== 'completed' || !at)
      continue;
    if (Date.parse(at) < created) continue;
    const method = str(backup.spec?.method) || 'barmanObjectStore';
    const known = byMethod[method];
    if (!known || Date.parse(at) > Date.parse(known)) byMethod[method] = at;
  }
  const first = str(window.firstRecoverabilityPoint) || str(cluster.status?.firstRecoverabilityPoint);
  return {
    archiving: {
      configured,
      healthy: configured ? healthy : null,
      reason: condition?.reason ?? '',
      message: condition?.message ?? '',
    },
    firstRecoverabilityPoint: first,
    lastRecoverabilityPoint:
      configured && healthy && first ? now.toISOString().replace(/\.\d{3}Z$/, 'Z') : '',
    lastSuccessfulBackupByMethod: byMethod,
  };
}

/** The text lines of an overview, for cluster_status and backup_destination_get. */
export function describeOverview(overview: ReturnType<typeof backupOverviewOf>): string[] {
  const a = overview.archiving;
  return [
    a.configured
      ? `WAL archiving: ${a.healthy === null ? 'not reported yet' : a.healthy ? 'working' : `FAILING (${a.reason}): ${a.message}`}`
      : 'WAL archiving: not configured (no point-in-time recovery; backup_destination_set configures it)',
    overview.firstRecoverabilityPoint
      ? `Recoverable from ${overview.firstRecoverabilityPoint} to ${overview.lastRecoverabilityPoint || 'the last backup'}`
      : '',
    ...Object.entries(overview.lastSuccessfulBackupByMethod).map(
      ([method, at]) => `Last successful ${method} backup: ${at}`,
    ),
  ].filter(Boolean);
}
