import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterRefField, readOnly } from '../shared.js';
import { backupDestinationSummary, backupOverview } from './shared.js';

export const backupDestinationGet = {
  name: 'backup_destination_get',
  group: 'backups',
  title: 'Where a cluster’s backups go, and whether archiving works',
  description:
    'A cluster’s backup destinations, WAL archiving state (ContinuousArchiving), recoverability window and last successful backup per method.',
  details:
    'Shows where a cluster’s backups go (Barman Cloud plugin ObjectStore and server name, volume snapshot class, legacy in-tree object store), whether continuous WAL archiving works (the `ContinuousArchiving` condition and, when it fails, why), the first and last recoverability point (from the ObjectStore’s recovery window, or the cluster status for in-tree backups), and the last successful backup of each method (from the Backup objects, the only record of plugin backups).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField,
  }),
  outputSchema: z.object({ destination: backupDestinationSummary, ...backupOverview.shape }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
