import { OWNER_LABEL } from '../../identity.js';
import type { ClusterObject } from '../cluster/model.js';
import { type CnpgObject, clusterOf, str } from '../common/objects.js';
import { ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { Observed, ReferenceSpec } from '../framework/references.js';

export const BACKUP_HINT = 'backup_list shows what exists';
export const SCHEDULE_HINT = 'scheduled_backup_list shows what exists';

/** The Cluster a new Backup or ScheduledBackup is for: the `cluster` argument, used (owned by the caller). */
export function backedUpCluster<Args extends { cluster: string }>(): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent: 'use',
    role: 'the cluster to back up',
    name: (args) => args.cluster,
    hint: 'cluster_list shows what exists',
  };
}

/** The ScheduledBackup the call changes or deletes: the `name` argument (owned by the caller). */
export function changedSchedule<Args extends { name: string }>(role: string): ReferenceSpec<Args> {
  return { kind: 'ScheduledBackup', intent: 'change', role, name: (args) => args.name, hint: SCHEDULE_HINT };
}

/** A declared, non-optional reference as the framework read it (it fails the call before `run` when absent). */
export function seenObject(seen: Observed, key: string): KubeObject {
  const object = seen[key];
  if (!object) throw new Error(`the declared reference "${key}" was not read`);
  return object;
}

export const DEFAULT_BACKUP_PLUGIN = 'barman-cloud.cloudnative-pg.io';
export type BackupMethod = 'plugin' | 'volumeSnapshot' | 'barmanObjectStore';

interface PluginEntry {
  name?: string;
  enabled?: boolean;
  isWALArchiver?: boolean;
  parameters?: Record<string, string>;
}

/** The backup plugin a cluster declares (the WAL archiver first), if any. */
export function clusterBackupPlugin(cluster: ClusterObject): PluginEntry | undefined {
  const plugins = (Array.isArray(cluster.spec?.plugins) ? cluster.spec.plugins : []) as PluginEntry[];
  const active = plugins.filter((p) => p.name && p.enabled !== false);
  return active.find((p) => p.isWALArchiver) ?? active.find((p) => p.name === DEFAULT_BACKUP_PLUGIN);
}

/** Methods the cluster is configured for, best first. */
export function configuredMethods(cluster: ClusterObject): BackupMethod[] {
  const backup = (cluster.spec?.backup ?? {}) as Record<string, unknown>;
  const methods: BackupMethod[] = [];
  if (clusterBackupPlugin(cluster)) methods.push('plugin');
  if (backup.volumeSnapshot) methods.push('volumeSnapshot');
  if (backup.barmanObjectStore) methods.push('barmanObjectStore');
  return methods;
}

export interface BackupArgs {
  method?: BackupMethod | undefined;
  plugin_name?: string | undefined;
  plugin_parameters?: Record<string, string> | undefined;
  target?: string | undefined;
  online?: boolean | undefined;
  immediate_checkpoint?: boolean | undefined;
  wait_for_archive?: boolean | undefined;
}

/**
 * The method, target and online settings of a Backup or ScheduledBackup spec, checked against the
 * cluster's configuration and CloudNativePG's webhook rules before anything is written.
 */
export function backupSpec(
  cluster: ClusterObject,
  args: BackupArgs,
): { method: BackupMethod; spec: Record<string, unknown> } {
  const configured = configuredMethods(cluster);
  const method = args.method ?? configured[0];
  if (!method) {
    throw new ToolFailure(
      'precondition',
      `cluster ${cluster.metadata.name} has no backup configuration (no backup plugin, backup.volumeSnapshot or backup.barmanObjectStore); configure one first`,
    );
  }
  if (!configured.includes(method)) {
    throw new ToolFailure(
      'invalid_input',
      `method: cluster ${cluster.metadata.name} is not configured for ${method} backups (configured: ${configured.join(', ') || 'none'})`,
    );
  }
  if (method !== 'plugin' && (args.plugin_name || args.plugin_parameters)) {
    throw new ToolFailure('invalid_input', 'plugin_name, plugin_parameters: only for method "plugin"');
  }
  const onlineGiven =
    args.online !== undefined ||
    args.immediate_checkpoint !== undefined ||
    args.wait_for_archive !== undefined;
  if (method === 'barmanObjectStore' && onlineGiven) {
    throw new ToolFailure(
      'invalid_input',
      'online, immediate_checkpoint, wait_for_archive: not allowed with method barmanObjectStore (always online)',
    );
  }
  const onlineConfiguration = {
    ...(args.immediate_checkpoint !== undefined ? { immediateCheckpoint: args.immediate_checkpoint } : {}),
    ...(args.wait_for_archive !== undefined ? { waitForArchive: args.wait_for_archive } : {}),
  };
  const spec: Record<string, unknown> = {
    cluster: { name: cluster.metadata.name },
    method,
    ...(args.target ? { target: args.target } : {}),
    ...(args.online !== undefined ? { online: args.online } : {}),
    ...(Object.keys(onlineConfiguration).length ? { onlineConfiguration } : {}),
  };
  if (method === 'plugin') {
    spec.pluginConfiguration = {
      name: args.plugin_name ?? clusterBackupPlugin(cluster)?.name ?? DEFAULT_BACKUP_PLUGIN,
      ...(args.plugin_parameters ? { parameters: args.plugin_parameters } : {}),
    };
  }
  return { method, spec };
}

export const TERMINAL_PHASES = new Set([
  'completed',
  'failed',
  'walArchivingFailing',
  'invalid backup definition',
]);
const PHASE_STEP: Record<string, number> = {
  pending: 0,
  started: 1,
  running: 2,
  finalizing: 3,
  completed: 4,
};

export function backupProgress(phase: string): number {
  return PHASE_STEP[phase] ?? (TERMINAL_PHASES.has(phase) ? 4 : 0);
}

export function summarizeBackup(object: CnpgObject) {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  return {
    name: object.metadata.name,
    cluster: clusterOf(object),
    method: str(status.method) || str(spec.method) || 'barmanObjectStore',
    phase: str(status.phase),
    target: str(spec.target),
    online:
      typeof status.online === 'boolean'
        ? status.online
        : typeof spec.online === 'boolean'
          ? spec.online
          : null,
    startedAt: str(status.startedAt),
    stoppedAt: str(status.stoppedAt),
    beginLSN: str(status.beginLSN),
    endLSN: str(status.endLSN),
    backupId: str(status.backupId),
    majorVersion: typeof status.majorVersion === 'number' ? status.majorVersion : null,
    error: str(status.error),
    createdAt: object.metadata.creationTimestamp ?? '',
    owner: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

export function summarizeScheduledBackup(object: CnpgObject) {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  return {
    name: object.metadata.name,
    cluster: clusterOf(object),
    schedule: str(spec.schedule),
    method: str(spec.method) || 'barmanObjectStore',
    suspended: spec.suspend === true,
    immediate: spec.immediate === true,
    backupOwnerReference: str(spec.backupOwnerReference) || 'none',
    lastScheduleTime: str(status.lastScheduleTime),
    nextScheduleTime: str(status.nextScheduleTime),
    owner: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

/** One line about a backup, for lists and get. */
export function describeBackup(b: ReturnType<typeof summarizeBackup>): string {
  return `${b.name}  ${b.cluster}  ${b.method}  ${b.phase || 'new'}${b.startedAt ? `  started ${b.startedAt}` : ''}${b.stoppedAt ? `  stopped ${b.stoppedAt}` : ''}${b.error ? `  error: ${b.error}` : ''}`;
}

/** `<cluster>-YYYYMMDDhhmmss` (UTC), the name `kubectl cnpg backup` gives. */
export function defaultBackupName(cluster: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${cluster.slice(0, 48).replace(/-+$/, '')}-${stamp}`;
}
