import { z } from 'zod';
import { cronProblem } from '../../cron.js';
import { DNS_SUBDOMAIN, dryRunField, namespaceField } from '../../fields.js';
import { objectNameField } from '../shared.js';

/** Pieces shared by the backup, scheduled-backup and restore tools. */

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

export const pluginParametersField = z.record(
  z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9_.-]+$/),
  z.string().max(1024),
);

export const onlineFields = {
  online: z.boolean().optional().describe('Hot backup; default: the cluster’s setting.'),
  immediate_checkpoint: z.boolean().optional(),
  wait_for_archive: z.boolean().optional().describe('Default true.'),
};

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

export const scheduleTarget = z.strictObject({
  namespace: namespaceField.optional(),
  name: objectNameField,
  dry_run: dryRunField,
});

export const waitTimeoutField = z.int().min(5).max(3600).default(600);

export const backupMethodField = z
  .enum(['plugin', 'volumeSnapshot', 'barmanObjectStore'])
  .describe('Default: detected from the cluster.');

export const pluginNameField = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
  .describe('Default: detected, else barman-cloud.cloudnative-pg.io.');

export const backupTargetField = z.enum(['primary', 'prefer-standby']);

export const cronScheduleField = z
  .string()
  .min(6)
  .max(100)
  .regex(/^(@[a-z]+( [0-9a-zµ.]+)?|\S+( \S+){5})$/)
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Seconds first: "0 0 2 * * *" is daily at 02:00; "@daily" and "@every 6h" work too.');

const kubeObjectName = z.string().min(1).max(253).regex(DNS_SUBDOMAIN);

/** Where a cluster's backups go, as cluster_create and backup_destination_set take it. */
export const backupDestinationInput = z.strictObject({
  object_store: kubeObjectName
    .optional()
    .describe('A Barman Cloud ObjectStore in the namespace the policy allows; becomes the WAL archiver.'),
  server_name: kubeObjectName
    .optional()
    .describe('The folder in the store; default the cluster name. Must be unused by another cluster.'),
  volume_snapshot_class: kubeObjectName
    .optional()
    .describe('Enables volume-snapshot backups with this class.'),
});

export const backupDestinationSummary = z.object({
  objectStore: z.string().describe('The Barman Cloud ObjectStore the WAL archiver writes to; "" when none.'),
  serverName: z.string(),
  walArchiver: z.string().describe('The plugin archiving WAL; "" when none.'),
  volumeSnapshotClass: z.string(),
  inTreeObjectStore: z.string().describe('destinationPath of the deprecated in-tree barmanObjectStore; "".'),
  methods: z.array(z.string()).describe('Backup methods the cluster is configured for, best first.'),
});

export const backupOverview = z.object({
  archiving: z.object({
    configured: z.boolean(),
    healthy: z.boolean().nullable().describe('null: not reported yet.'),
    reason: z.string(),
    message: z.string().describe('What is wrong when archiving fails.'),
  }),
  firstRecoverabilityPoint: z.string(),
  lastRecoverabilityPoint: z
    .string()
    .describe('While archiving works: now, less up to archive_timeout (5 min by default); "" otherwise.'),
  lastSuccessfulBackupByMethod: z.record(z.string(), z.string()),
});

/** A PostgreSQL LSN (e.g. 0/3000060), a recovery target. */
export const lsnField = z
  .string()
  .max(17)
  .regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/);

/** A transaction id, a recovery target. */
export const xidField = z
  .string()
  .max(20)
  .regex(/^[1-9][0-9]*$/);
