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
import { action, clusterTarget } from '../shared.js';

export const clusterCreate = {
  name: 'cluster_create',
  group: 'cluster',
  title: 'Create a PostgreSQL cluster',
  description:
    'Creates a CloudNativePG cluster labelled with your identity. Choose the PostgreSQL version with `postgres_major`, a full `image`, or an `image_catalog` (at most one). With `wait`, reports progress until the cluster is healthy (cancellable).',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instances: z.int().min(1).max(9).default(1).describe('Number of instances (1 primary + replicas).'),
    postgres_major: postgresMajorField.optional(),
    image: imageField.optional(),
    image_catalog: imageCatalogField.optional(),
    storage_size: storageSizeField,
    storage_class: storageClassField.optional(),
    wal_storage_size: storageSizeField
      .optional()
      .describe('Separate WAL volume size; no separate WAL volume when omitted.'),
    wal_storage_class: storageClassField.optional(),
    resources: resourcesField.optional(),
    parameters: z
      .record(parameterNameField, z.string().max(1024))
      .optional()
      .describe('PostgreSQL parameters (operator-managed ones are refused).'),
    database: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional()
      .describe('Application database created at bootstrap (default "app").'),
    owner: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional()
      .describe('Owner role of the application database (default: same as database).'),
    affinity: affinityField.optional(),
    tolerations: tolerationsField.optional(),
    node_selector: nodeSelectorField.optional(),
    enable_pod_monitor: z.boolean().default(false).describe('Create a Prometheus PodMonitor.'),
    wait: z.boolean().default(false).describe('Wait until the cluster is healthy, reporting progress.'),
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
