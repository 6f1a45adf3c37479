/**
 * The `ContinuousArchiving` condition as the instance manager reports it: only when the cluster
 * archives WAL (a WAL-archiver plugin or the in-tree barmanObjectStore) and an instance runs. The
 * Barman Cloud plugin archives into the ObjectStore its `barmanObjectName` parameter names; while
 * that object does not exist every archive attempt fails, and the condition says why.
 */
import { asRecord, type KubeObject } from '../../types.js';
import type { ControllerClient } from '../client.js';
import type { Condition } from './cluster-status.js';
import { BARMAN_CLOUD_PLUGIN } from './operator-settings.js';

type ArchivingCondition = Omit<Condition, 'lastTransitionTime'>;

const WORKING: ArchivingCondition = {
  type: 'ContinuousArchiving',
  status: 'True',
  reason: 'ContinuousArchivingSuccess',
  message: 'Continuous archiving is working',
};

interface PluginEntry {
  name?: unknown;
  enabled?: unknown;
  isWALArchiver?: unknown;
  parameters?: unknown;
}

/** The WAL archiver plugin entry of a cluster spec, if one is enabled. */
export function walArchiverPlugin(spec: Record<string, unknown>): PluginEntry | undefined {
  const plugins = (Array.isArray(spec.plugins) ? spec.plugins : []) as PluginEntry[];
  return plugins.find((p) => p.enabled !== false && p.isWALArchiver === true);
}

export function continuousArchivingCondition(
  client: ControllerClient,
  cluster: KubeObject,
  running: boolean,
): ArchivingCondition | undefined {
  if (!running) return undefined;
  const spec = asRecord(cluster.spec);
  const archiver = walArchiverPlugin(spec);
  if (!archiver) return asRecord(spec.backup).barmanObjectStore ? WORKING : undefined;
  if (archiver.name !== BARMAN_CLOUD_PLUGIN) return WORKING;
  const storeName = String(asRecord(archiver.parameters).barmanObjectName ?? '');
  const store = storeName ? client.get('ObjectStore', cluster.metadata.namespace, storeName) : undefined;
  if (store) return WORKING;
  return {
    type: 'ContinuousArchiving',
    status: 'False',
    reason: 'ContinuousArchivingFailing',
    message: storeName
      ? `unexpected failure invoking barman-cloud-wal-archive: ObjectStore.barmancloud.cnpg.io "${storeName}" not found`
      : 'unexpected failure invoking barman-cloud-wal-archive: missing barmanObjectName parameter',
  };
}

/**
 * What the plugin records in its ObjectStore after a base backup of `serverName`
 * (status.serverRecoveryWindow, plugin-barman-cloud api/v1 objectstore_types.go): the first
 * recoverability point stays at the oldest backup, the last successful backup time moves on.
 */
export function recordRecoveryWindow(
  client: ControllerClient,
  store: KubeObject,
  serverName: string,
  backupTime: string,
): void {
  const windows = asRecord(asRecord(store.status).serverRecoveryWindow);
  const current = asRecord(windows[serverName]);
  client.patchStatus(store, {
    serverRecoveryWindow: {
      ...windows,
      [serverName]: {
        ...current,
        firstRecoverabilityPoint: current.firstRecoverabilityPoint ?? backupTime,
        lastSuccessfulBackupTime: backupTime,
      },
    },
  });
}
