import type { ToolDefinition } from '../types.js';
import { backupCreate } from './backups/create.js';
import { backupDelete } from './backups/delete.js';
import { backupDestinationGet } from './backups/destination-get.js';
import { backupDestinationSet } from './backups/destination-set.js';
import { backupGet } from './backups/get.js';
import { backupList } from './backups/list.js';
import { backupRestore } from './backups/restore.js';
import { backupRestoreFromStore } from './backups/restore-from-store.js';
import { scheduledBackupCreate } from './backups/scheduled-backup-create.js';
import { scheduledBackupDelete } from './backups/scheduled-backup-delete.js';
import { scheduledBackupList } from './backups/scheduled-backup-list.js';
import { scheduledBackupResume } from './backups/scheduled-backup-resume.js';
import { scheduledBackupSuspend } from './backups/scheduled-backup-suspend.js';
import { backupWait } from './backups/wait.js';
import { clusterCreate } from './cluster/create.js';
import { clusterDelete } from './cluster/delete.js';
import { clusterFence } from './cluster/fence.js';
import { clusterHibernate } from './cluster/hibernate.js';
import { clusterImageUpgrade } from './cluster/image-upgrade.js';
import { clusterInstanceDestroy } from './cluster/instance-destroy.js';
import { clusterList } from './cluster/list.js';
import { clusterMaintenance } from './cluster/maintenance.js';
import { clusterReload } from './cluster/reload.js';
import { clusterRestart } from './cluster/restart.js';
import { clusterResume } from './cluster/resume.js';
import { clusterScale } from './cluster/scale.js';
import { clusterSetParameters } from './cluster/set-parameters.js';
import { clusterStatus } from './cluster/status.js';
import { clusterStorageGrow } from './cluster/storage-grow.js';
import { clusterStorageShrink } from './cluster/storage-shrink.js';
import { clusterStorageShrinkStatus } from './cluster/storage-shrink-status.js';
import { clusterSwitchover } from './cluster/switchover.js';
import { clusterUnfence } from './cluster/unfence.js';
import { credentialReveal } from './credentials/reveal.js';
import { databaseCreate } from './databases/create.js';
import { databaseDelete } from './databases/delete.js';
import { databaseGet } from './databases/get.js';
import { databaseList } from './databases/list.js';
import { databaseUpdate } from './databases/update.js';
import { publicationCreate } from './logical/publication-create.js';
import { publicationDelete } from './logical/publication-delete.js';
import { publicationList } from './logical/publication-list.js';
import { subscriptionCreate } from './logical/subscription-create.js';
import { subscriptionDelete } from './logical/subscription-delete.js';
import { subscriptionList } from './logical/subscription-list.js';
import { clusterConnectionInfo } from './observability/cluster-connection-info.js';
import { clusterEvents } from './observability/cluster-events.js';
import { clusterLogs } from './observability/cluster-logs.js';
import { clusterPods } from './observability/cluster-pods.js';
import { poolerCreate } from './poolers/create.js';
import { poolerDelete } from './poolers/delete.js';
import { poolerGet } from './poolers/get.js';
import { poolerList } from './poolers/list.js';
import { poolerScale } from './poolers/scale.js';
import { poolerUpdate } from './poolers/update.js';
import { roleCreate } from './roles/create.js';
import { roleDelete } from './roles/delete.js';
import { roleGet } from './roles/get.js';
import { roleList } from './roles/list.js';
import { roleRotatePassword } from './roles/rotate-password.js';
import { roleUpdate } from './roles/update.js';
import { whoami } from './whoami.js';

/**
 * Every tool, in the order tools/list returns them: the one list of tools. Each tool lives in its own
 * module, tools/<group>/<tool>.ts (see toolModulePath); a test checks that this list and the modules agree.
 */
export const tools = [
  whoami,
  clusterList,
  clusterStatus,
  clusterCreate,
  clusterScale,
  clusterStorageGrow,
  clusterStorageShrink,
  clusterStorageShrinkStatus,
  clusterSetParameters,
  clusterImageUpgrade,
  clusterRestart,
  clusterReload,
  clusterHibernate,
  clusterResume,
  clusterFence,
  clusterUnfence,
  clusterSwitchover,
  clusterInstanceDestroy,
  clusterMaintenance,
  clusterDelete,
  clusterPods,
  clusterEvents,
  clusterLogs,
  clusterConnectionInfo,
  credentialReveal,
  roleList,
  roleGet,
  roleCreate,
  roleUpdate,
  roleRotatePassword,
  roleDelete,
  databaseList,
  databaseGet,
  databaseCreate,
  databaseUpdate,
  databaseDelete,
  backupCreate,
  backupList,
  backupGet,
  backupWait,
  backupDelete,
  scheduledBackupCreate,
  scheduledBackupList,
  scheduledBackupSuspend,
  scheduledBackupResume,
  scheduledBackupDelete,
  backupRestore,
  backupRestoreFromStore,
  backupDestinationSet,
  backupDestinationGet,
  poolerList,
  poolerGet,
  poolerCreate,
  poolerUpdate,
  poolerScale,
  poolerDelete,
  publicationList,
  publicationCreate,
  publicationDelete,
  subscriptionList,
  subscriptionCreate,
  subscriptionDelete,
] as const satisfies readonly ToolDefinition[];

export {
  backupCreate,
  backupDelete,
  backupDestinationGet,
  backupDestinationSet,
  backupGet,
  backupList,
  backupRestore,
  backupRestoreFromStore,
  backupWait,
  clusterConnectionInfo,
  clusterCreate,
  clusterDelete,
  clusterEvents,
  clusterFence,
  clusterHibernate,
  clusterImageUpgrade,
  clusterInstanceDestroy,
  clusterList,
  clusterLogs,
  clusterMaintenance,
  clusterPods,
  clusterReload,
  clusterRestart,
  clusterResume,
  clusterScale,
  clusterSetParameters,
  clusterStatus,
  clusterStorageGrow,
  clusterStorageShrink,
  clusterStorageShrinkStatus,
  clusterSwitchover,
  clusterUnfence,
  credentialReveal,
  databaseCreate,
  databaseDelete,
  databaseGet,
  databaseList,
  databaseUpdate,
  poolerCreate,
  poolerDelete,
  poolerGet,
  poolerList,
  poolerScale,
  poolerUpdate,
  publicationCreate,
  publicationDelete,
  publicationList,
  roleCreate,
  roleDelete,
  roleGet,
  roleList,
  roleRotatePassword,
  roleUpdate,
  scheduledBackupCreate,
  scheduledBackupDelete,
  scheduledBackupList,
  scheduledBackupResume,
  scheduledBackupSuspend,
  subscriptionCreate,
  subscriptionDelete,
  subscriptionList,
  whoami,
};
