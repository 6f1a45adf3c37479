import {
  backupCreateTool,
  backupDeleteTool,
  backupGetTool,
  backupListTool,
  backupWaitTool,
} from './backups/backup.js';
import { backupRestoreTool } from './backups/restore.js';
import {
  scheduledBackupCreateTool,
  scheduledBackupDeleteTool,
  scheduledBackupListTool,
  scheduledBackupResumeTool,
  scheduledBackupSuspendTool,
} from './backups/scheduled.js';
import type { ToolImplementation } from './context.js';
import { credentialRevealTool } from './credentials/reveal.js';
import { databaseGetTool, databaseListTool } from './databases/read.js';
import { databaseCreateTool, databaseDeleteTool, databaseUpdateTool } from './databases/write.js';
import {
  publicationCreateTool,
  publicationDeleteTool,
  publicationListTool,
  subscriptionCreateTool,
  subscriptionDeleteTool,
  subscriptionListTool,
} from './logical/logical.js';
import {
  clusterConnectionInfoTool,
  clusterEventsTool,
  clusterLogsTool,
  clusterPodsTool,
} from './observability/read.js';
import {
  poolerCreateTool,
  poolerDeleteTool,
  poolerGetTool,
  poolerListTool,
  poolerScaleTool,
  poolerUpdateTool,
} from './poolers/poolers.js';
import { roleGetTool, roleListTool } from './roles/read.js';
import { roleCreateTool, roleDeleteTool, roleRotatePasswordTool, roleUpdateTool } from './roles/write.js';

/** Implementations of the catalogue's object tools (roles, databases, backups, poolers, observability, logical replication). */
export const objectImplementations: readonly ToolImplementation[] = [
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
];
