import { z } from 'zod';
import {
  clusterNameField,
  DNS_SUBDOMAIN,
  dryRunField,
  imageField,
  namespaceField,
  postgresMajorField,
  storageClassField,
  storageSizeField,
} from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action } from '../shared.js';
import { lsnField, xidField } from './shared.js';

const storeObjectName = z.string().min(1).max(253).regex(DNS_SUBDOMAIN);

export const backupRestoreFromStore = {
  name: 'backup_restore_from_store',
  group: 'backups',
  title: 'Restore a cluster’s archive from an object store',
  description:
    'Restores the archive a cluster keeps in an ObjectStore (by server name; no Backup object needed) into a new cluster, optionally to a time, LSN, XID or restore point.',
  details:
    'Creates a new cluster from the base backups and WAL a cluster archived into a Barman Cloud plugin `ObjectStore`, found by its server name (by default the archiving cluster’s name), with no Backup object needed — the way to recover a cluster that was deleted with its Backups. Give at most one of target_time, target_lsn, target_xid, target_name (a restore point made with pg_create_restore_point), target_immediate; CloudNativePG needs `backup_id` with target_xid, target_name and target_immediate. A target_time before the store’s first recoverability point or in the future is refused. The archive must be yours: a cluster of yours archives there, or a Backup of yours was taken of a cluster with that name (admins may restore any).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: clusterNameField.describe('The new cluster.'),
    object_store: storeObjectName,
    server_name: storeObjectName.describe(
      'The archive’s folder in the store: the old cluster’s name unless set.',
    ),
    backup_id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[0-9A-Za-z_-]+$/)
      .optional()
      .describe(
        'Barman backup ID to start from (backup_get shows backupId); default the latest fitting one.',
      ),
    target_time: z.iso.datetime({ offset: true }).optional(),
    target_lsn: lsnField.optional(),
    target_xid: xidField.optional(),
    target_name: z.string().min(1).max(63).optional().describe('A restore point (pg_create_restore_point).'),
    target_immediate: z.boolean().optional().describe('Stop as soon as the backup is consistent.'),
    target_inclusive: z.boolean().default(true).describe('Stop just after (true) or before the target.'),
    instances: z.int().min(1).max(9).default(1),
    storage_size: storageSizeField,
    wal_storage_size: storageSizeField.optional(),
    storage_class: storageClassField.optional(),
    postgres_major: postgresMajorField.optional().describe('Must be the archive’s major; or give image.'),
    image: imageField.optional(),
    wait: z.boolean().default(false),
    wait_timeout_seconds: z.int().min(10).max(3600).default(900),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    objectStore: z.string(),
    serverName: z.string(),
    recoveryTarget: z.record(z.string(), z.unknown()),
    phase: z.string(),
    waited: z.boolean(),
  }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
