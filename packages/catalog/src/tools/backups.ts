import { z } from 'zod';
import {
  clusterNameField,
  confirmField,
  dryRunField,
  imageField,
  namespaceField,
  storageClassField,
  storageSizeField,
} from '../fields.js';
import { mutationOutput } from '../outputs.js';
import type { ToolDefinition } from '../types.js';
import {
  backupMethodField,
  backupTargetField,
  change,
  clusterRefField,
  create,
  cronScheduleField,
  destructive,
  objectNameField,
  pluginNameField,
  readOnly,
  waitTimeoutField,
} from './shared.js';

export const backupSummary = z.object({
  name: z.string(),
  cluster: z.string(),
  method: z.string(),
  phase: z
    .string()
    .describe('pending, started, running, finalizing, completed, failed, … ("" before the operator saw it).'),
  target: z.string(),
  online: z.boolean().nullable(),
  startedAt: z.string(),
  stoppedAt: z.string(),
  beginLSN: z.string(),
  endLSN: z.string(),
  backupId: z.string(),
  majorVersion: z.number().nullable(),
  error: z.string(),
  createdAt: z.string(),
  owner: z.string(),
});

const pluginParametersField = z
  .record(
    z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9_.-]+$/),
    z.string().max(1024),
  )
  .describe('Parameters passed to the backup plugin.');

const onlineFields = {
  online: z
    .boolean()
    .optional()
    .describe(
      'volumeSnapshot and plugin: hot (true) or cold (false) backup; the cluster setting when omitted.',
    ),
  immediate_checkpoint: z
    .boolean()
    .optional()
    .describe('Online backups: request an immediate checkpoint instead of a spread one.'),
  wait_for_archive: z
    .boolean()
    .optional()
    .describe('Online backups: wait until the last WAL segment is archived (default true).'),
};

export const backupCreate = {
  name: 'backup_create',
  title: 'Back up a cluster now',
  description:
    'Takes an on-demand backup of a cluster with the Barman Cloud plugin (or another plugin), a volume snapshot, or the in-tree object store; the method is detected from the cluster when omitted. With `wait`, reports progress until it completes or fails (cancellable).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField,
    name: objectNameField.optional().describe('Backup object name; <cluster>-<YYYYMMDDhhmmss> when omitted.'),
    method: backupMethodField.optional(),
    plugin_name: pluginNameField.optional(),
    plugin_parameters: pluginParametersField.optional(),
    target: backupTargetField.optional(),
    ...onlineFields,
    wait: z
      .boolean()
      .default(false)
      .describe('Wait until the backup completes or fails, reporting progress.'),
    wait_timeout_seconds: waitTimeoutField,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ backup: backupSummary, waited: z.boolean() }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const backupList = {
  name: 'backup_list',
  title: 'List backups',
  description:
    'Lists backups in a namespace, optionally of one cluster, newest first, with phase, method, times, LSNs and errors.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional().describe('Only backups of this cluster.'),
  }),
  outputSchema: z.object({ namespace: z.string(), backups: z.array(backupSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const backupGet = {
  name: 'backup_get',
  title: 'Get a backup',
  description:
    'One backup with its phase, method, times, WAL and LSN range, destination and error; `detail: "detailed"` adds the raw status.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    detail: z.enum(['concise', 'detailed']).default('concise'),
  }),
  outputSchema: z.object({
    backup: backupSummary,
    destinationPath: z.string(),
    beginWal: z.string(),
    endWal: z.string(),
    status: z.record(z.string(), z.unknown()).optional(),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const backupWait = {
  name: 'backup_wait',
  title: 'Wait for a backup',
  description:
    'Waits until a backup completes or fails, sending progress notifications at each phase change; honours cancellation.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    timeout_seconds: waitTimeoutField,
  }),
  outputSchema: z.object({
    backup: backupSummary,
    outcome: z.enum(['completed', 'failed', 'timeout', 'cancelled']),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const backupDelete = {
  name: 'backup_delete',
  title: 'Delete a backup',
  description:
    'Deletes a Backup object. Object-store data is kept and expires through the retention policy; snapshots follow their VolumeSnapshotClass deletion policy. `confirm` must equal the backup name.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    confirm: confirmField('backup name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const scheduledBackupSummary = z.object({
  name: z.string(),
  cluster: z.string(),
  schedule: z.string(),
  method: z.string(),
  suspended: z.boolean(),
  immediate: z.boolean(),
  backupOwnerReference: z.string(),
  lastScheduleTime: z.string(),
  nextScheduleTime: z.string(),
  owner: z.string(),
});

export const scheduledBackupCreate = {
  name: 'scheduled_backup_create',
  title: 'Schedule backups',
  description:
    'Creates a ScheduledBackup for a cluster with a six-field cron schedule (seconds first, validated here), optionally taking the first backup at once.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField,
    name: objectNameField,
    schedule: cronScheduleField,
    method: backupMethodField.optional(),
    plugin_name: pluginNameField.optional(),
    plugin_parameters: pluginParametersField.optional(),
    target: backupTargetField.optional(),
    ...onlineFields,
    immediate: z.boolean().default(false).describe('Take a backup as soon as the schedule is created.'),
    suspend: z.boolean().default(false).describe('Create it suspended.'),
    backup_owner_reference: z
      .enum(['none', 'self', 'cluster'])
      .default('none')
      .describe('Owner of the Backups it creates: none (they outlive everything), self, or the cluster.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ scheduledBackup: scheduledBackupSummary }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const scheduledBackupList = {
  name: 'scheduled_backup_list',
  title: 'List scheduled backups',
  description:
    'Lists ScheduledBackups in a namespace, optionally of one cluster: schedule, suspended, last and next run.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional().describe('Only schedules of this cluster.'),
  }),
  outputSchema: z.object({ namespace: z.string(), scheduledBackups: z.array(scheduledBackupSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

const scheduleTarget = z.strictObject({
  namespace: namespaceField.optional(),
  name: objectNameField,
  dry_run: dryRunField,
});

export const scheduledBackupSuspend = {
  name: 'scheduled_backup_suspend',
  title: 'Suspend scheduled backups',
  description: 'Suspends a ScheduledBackup: no backups are taken until scheduled_backup_resume.',
  inputSchema: scheduleTarget,
  outputSchema: mutationOutput.extend({ scheduledBackup: scheduledBackupSummary }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const scheduledBackupResume = {
  name: 'scheduled_backup_resume',
  title: 'Resume scheduled backups',
  description: 'Resumes a suspended ScheduledBackup.',
  inputSchema: scheduleTarget,
  outputSchema: mutationOutput.extend({ scheduledBackup: scheduledBackupSummary }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const scheduledBackupDelete = {
  name: 'scheduled_backup_delete',
  title: 'Delete a scheduled backup',
  description:
    'Deletes a ScheduledBackup (backups it owns with backupOwnerReference self go with it). `confirm` must equal its name.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    confirm: confirmField('scheduled backup name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

const lsnField = z
  .string()
  .max(17)
  .regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/)
  .describe('Recover up to this WAL location (LSN), e.g. "0/3000060".');

export const backupRestore = {
  name: 'backup_restore',
  title: 'Restore a backup into a new cluster',
  description:
    'Creates a new cluster from a completed backup (restoring in place is impossible), optionally to a point in time: give at most one of target_time, target_lsn, target_xid. Storage and image default to the backup’s source cluster; the PostgreSQL major must match the backup. With `wait`, reports progress until healthy.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: clusterNameField.describe('Name of the new cluster (DNS-1035 label, at most 50 characters).'),
    backup: objectNameField.describe('Name of the completed Backup to restore (same namespace).'),
    target_time: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('Recover up to this time (RFC 3339 with offset), e.g. 2026-08-21T10:15:00Z.'),
    target_lsn: lsnField.optional(),
    target_xid: z
      .string()
      .max(20)
      .regex(/^[1-9][0-9]*$/)
      .optional()
      .describe('Recover up to this transaction id.'),
    target_inclusive: z
      .boolean()
      .default(true)
      .describe('Stop just after (true) or just before (false) the target.'),
    instances: z.int().min(1).max(9).default(1),
    storage_size: storageSizeField
      .optional()
      .describe('Data volume size; the source cluster’s when omitted.'),
    storage_class: storageClassField.optional(),
    image: imageField
      .optional()
      .describe('PostgreSQL image; the source cluster’s when omitted (same major as the backup).'),
    wait: z.boolean().default(false).describe('Wait until the new cluster is healthy, reporting progress.'),
    wait_timeout_seconds: z.int().min(10).max(3600).default(900),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    sourceCluster: z.string(),
    backup: z.string(),
    recoveryTarget: z.record(z.string(), z.unknown()),
    phase: z.string(),
    waited: z.boolean(),
  }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const backupTools = [
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
] as const;
