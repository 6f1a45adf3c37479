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
import { lsnField, xidField } from './shared.js';

export const backupRestore = {
  name: 'backup_restore',
  group: 'backups',
  title: 'Restore a backup into a new cluster',
  description:
    'Restores a completed backup into a new cluster, optionally to a point in time (one target_*); storage and image default to the source’s.',
  details:
    'Creates a new cluster from a completed backup (restoring in place is impossible), optionally to a point in time: give at most one of target_time, target_lsn, target_xid. Storage and image default to the backup’s source cluster; the PostgreSQL major must match the backup. With `wait`, reports progress until healthy.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: clusterNameField.describe('The new cluster.'),
    backup: objectNameField,
    target_time: z.iso.datetime({ offset: true }).optional(),
    target_lsn: lsnField.optional(),
    target_xid: xidField.optional(),
    target_inclusive: z.boolean().default(true).describe('Stop just after (true) or before the target.'),
    instances: z.int().min(1).max(9).default(1),
    storage_size: storageSizeField.optional(),
    wal_storage_size: storageSizeField
      .optional()
      .describe('WAL volume; the source’s when omitted (a WAL snapshot needs one).'),
    storage_class: storageClassField.optional(),
    image: imageField.optional(),
    wait: z.boolean().default(false),
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
