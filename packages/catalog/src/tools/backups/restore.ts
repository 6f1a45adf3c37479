import { z } from 'zod';
import {
  clusterNameField,
  dryRunField,
  imageField,
  namespaceField,
  storageClassField,
  storageSizeField,
} from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, objectNameField } from '../shared.js';

const lsnField = z
  .string()
  .max(17)
  .regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/)
  .describe('Recover up to this WAL location (LSN), e.g. "0/3000060".');

export const backupRestore = {
  name: 'backup_restore',
  group: 'backups',
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
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
