import { backupCreateTool } from './backups/create.js';
import { backupDeleteTool } from './backups/delete.js';
import { backupDestinationGetTool } from './backups/destination-get.js';
import { backupDestinationSetTool } from './backups/destination-set.js';
import { backupGetTool } from './backups/get.js';
import { backupListTool } from './backups/list.js';
import { backupRestoreTool } from './backups/restore.js';
import { backupRestoreFromStoreTool } from './backups/restore-from-store.js';
import { scheduledBackupCreateTool } from './backups/scheduled-backup-create.js';
import { scheduledBackupDeleteTool } from './backups/scheduled-backup-delete.js';
import { scheduledBackupListTool } from './backups/scheduled-backup-list.js';
import { scheduledBackupResumeTool } from './backups/scheduled-backup-resume.js';
import { scheduledBackupSuspendTool } from './backups/scheduled-backup-suspend.js';
import { backupWaitTool } from './backups/wait.js';
import { clusterCreateTool } from './cluster/create.js';
import { clusterDeleteTool } from './cluster/delete.js';
import { clusterFenceTool } from './cluster/fence.js';
import { clusterHibernateTool } from './cluster/hibernate.js';
import { clusterImageUpgradeTool } from './cluster/image-upgrade.js';
import { clusterInstanceDestroyTool } from './cluster/instance-destroy.js';
import { clusterListTool } from './cluster/list.js';
import { clusterMaintenanceTool } from './cluster/maintenance.js';
import { clusterReloadTool } from './cluster/reload.js';
import { clusterRestartTool } from './cluster/restart.js';
import { clusterResumeTool } from './cluster/resume.js';
import { clusterScaleTool } from './cluster/scale.js';
import { clusterSetParametersTool } from './cluster/set-parameters.js';
import { clusterStatusTool } from './cluster/status.js';
import { clusterStorageGrowTool } from './cluster/storage-grow.js';
import { clusterStorageShrinkTool } from './cluster/storage-shrink.js';
import { clusterStorageShrinkStatusTool } from './cluster/storage-shrink-status.js';
import { clusterSwitchoverTool } from './cluster/switchover.js';
import { clusterUnfenceTool } from './cluster/unfence.js';
import type { ToolImplementation } from './context.js';
import { credentialRevealTool } from './credentials/reveal.js';
import { databaseCreateTool } from './databases/create.js';
import { databaseDeleteTool } from './databases/delete.js';
import { databaseGetTool } from './databases/get.js';
import { databaseListTool } from './databases/list.js';
import { databaseUpdateTool } from './databases/update.js';
import { publicationCreateTool } from './logical/publication-create.js';
import { publicationDeleteTool } from './logical/publication-delete.js';
import { publicationListTool } from './logical/publication-list.js';
import { subscriptionCreateTool } from './logical/subscription-create.js';
import { subscriptionDeleteTool } from './logical/subscription-delete.js';
import { subscriptionListTool } from './logical/subscription-list.js';
import { clusterConnectionInfoTool } from './observability/cluster-connection-info.js';
import { clusterEventsTool } from './observability/cluster-events.js';
import { clusterLogsTool } from './observability/cluster-logs.js';
import { clusterPodsTool } from './observability/cluster-pods.js';
import { poolerCreateTool } from './poolers/create.js';
import { poolerDeleteTool } from './poolers/delete.js';
import { poolerGetTool } from './poolers/get.js';
import { poolerListTool } from './poolers/list.js';
import { poolerScaleTool } from './poolers/scale.js';
import { poolerUpdateTool } from './poolers/update.js';
import { roleCreateTool } from './roles/create.js';
import { roleDeleteTool } from './roles/delete.js';
import { roleGetTool } from './roles/get.js';
import { roleListTool } from './roles/list.js';
import { roleRotatePasswordTool } from './roles/rotate-password.js';
import { roleUpdateTool } from './roles/update.js';
import { whoamiTool } from './whoami.js';

/** Every implemented tool by name: the one list of implementations (a test checks it matches the catalogue both ways). */
export const implementations: ReadonlyMap<string, ToolImplementation> = new Map(
  [
    whoamiTool,
    clusterListTool,
    clusterStatusTool,
    clusterCreateTool,
    clusterScaleTool,
    clusterStorageGrowTool,
    clusterStorageShrinkTool,
    clusterStorageShrinkStatusTool,
    clusterSetParametersTool,
    clusterImageUpgradeTool,
    clusterRestartTool,
    clusterReloadTool,
    clusterHibernateTool,
    clusterResumeTool,
    clusterFenceTool,
    clusterUnfenceTool,
    clusterSwitchoverTool,
    clusterInstanceDestroyTool,
    clusterMaintenanceTool,
    clusterDeleteTool,
    clusterPodsTool,
    clusterEventsTool,
    clusterLogsTool,
    clusterConnectionInfoTool,
    credentialRevealTool,
    roleListTool,
    roleGetTool,
    roleCreateTool,
    roleUpdateTool,
    roleRotatePasswordTool,
    roleDeleteTool,
    databaseListTool,
    databaseGetTool,
    databaseCreateTool,
    databaseUpdateTool,
    databaseDeleteTool,
    backupCreateTool,
    backupListTool,
    backupGetTool,
    backupWaitTool,
    backupDeleteTool,
    scheduledBackupCreateTool,
    scheduledBackupListTool,
    scheduledBackupSuspendTool,
    scheduledBackupResumeTool,
    scheduledBackupDeleteTool,
    backupRestoreTool,
    backupRestoreFromStoreTool,
    backupDestinationSetTool,
    backupDestinationGetTool,
    poolerListTool,
    poolerGetTool,
    poolerCreateTool,
    poolerUpdateTool,
    poolerScaleTool,
    poolerDeleteTool,
    publicationListTool,
    publicationCreateTool,
    publicationDeleteTool,
    subscriptionListTool,
    subscriptionCreateTool,
    subscriptionDeleteTool,
  ].map((tool) => [tool.definition.name, tool]),
);
