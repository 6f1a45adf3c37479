import { z } from 'zod';
import {
  affinityField,
  dryRunField,
  imageCatalogField,
  imageField,
  nodeSelectorField,
  parameterNameField,
  postgresMajorField,
  resourcesField,
  storageClassField,
  storageSizeField,
  tolerationsField,
} from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { backupDestinationInput } from '../backups/shared.js';
import { action, clusterTarget } from '../shared.js';

export const clusterCreate = {
  name: 'cluster_create',
  group: 'cluster',
  title: 'Create a PostgreSQL cluster',
  description:
    'Creates a cluster owned by you; the version from postgres_major, image or image_catalog (at most one).',
  details:
    'Creates a CloudNativePG cluster labelled with your identity. Choose the PostgreSQL version with `postgres_major`, a full `image`, or an `image_catalog` (at most one). With `wait`, reports progress until the cluster is healthy (cancellable).',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instances: z.int().min(1).max(9).default(1).describe('Primary plus replicas.'),
    postgres_major: postgresMajorField.optional(),
    image: imageField.optional(),
    image_catalog: imageCatalogField.optional(),
    storage_size: storageSizeField,
    storage_class: storageClassField.optional(),
    wal_storage_size: storageSizeField.optional().describe('A separate WAL volume.'),
    wal_storage_class: storageClassField.optional(),
    resources: resourcesField.optional(),
    parameters: z.record(parameterNameField, z.string().max(1024)).optional(),
    database: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional()
      .describe('Default app.'),
    owner: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional()
      .describe('Default: the database name.'),
    affinity: affinityField.optional(),
    tolerations: tolerationsField.optional(),
    node_selector: nodeSelectorField.optional(),
    enable_pod_monitor: z.boolean().default(false),
    backup_destination: backupDestinationInput
      .optional()
      .describe('Where backups and WAL go from the start (as backup_destination_set).'),
    wait: z.boolean().default(false),
    wait_timeout_seconds: z.int().min(10).max(1800).default(600),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    phase: z.string().describe('Phase when the call returned.'),
    readyInstances: z.number(),
    waited: z.boolean(),
  }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
