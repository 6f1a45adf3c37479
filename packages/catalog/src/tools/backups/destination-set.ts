import { z } from 'zod';
import { dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterRefField } from '../shared.js';
import { backupDestinationInput, backupDestinationSummary } from './shared.js';

export const backupDestinationSet = {
  name: 'backup_destination_set',
  group: 'backups',
  title: 'Choose where a cluster’s backups go',
  description:
    'Sets where a cluster’s backups and WAL go: an allowed Barman Cloud ObjectStore (WAL archiving on) and/or a VolumeSnapshotClass.',
  details:
    'Points a cluster at a backup destination the policy allows: `object_store` names a Barman Cloud plugin `ObjectStore` (made by an administrator; credentials stay in its Secret and never pass through the model) and makes the plugin the cluster’s WAL archiver, so point-in-time recovery becomes possible; `volume_snapshot_class` enables volume-snapshot backups with that class. Give at least one; the other is left as it is. backup_destination_get shows the result and whether archiving works.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField,
    ...backupDestinationInput.shape,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ destination: backupDestinationSummary }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
