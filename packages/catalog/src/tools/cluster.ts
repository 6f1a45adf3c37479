import { z } from 'zod';
import {
  affinityField,
  clusterNameField,
  confirmField,
  dryRunField,
  imageCatalogField,
  imageField,
  instanceNameField,
  namespaceField,
  nodeSelectorField,
  parameterNameField,
  postgresMajorField,
  resourcesField,
  storageClassField,
  storageSizeField,
  tolerationsField,
} from '../fields.js';
import { clusterSummary, conditionSummary, instanceSummary, mutationOutput } from '../outputs.js';
import type { ToolDefinition } from '../types.js';

const target = {
  namespace: namespaceField.optional(),
  name: clusterNameField,
};

const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const change = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const action = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
const destructive = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

export const clusterList = {
  name: 'cluster_list',
  title: 'List PostgreSQL clusters',
  description:
    'Lists CloudNativePG clusters in one namespace or in every namespace you may use: phase, ready/total instances, primary, image, age and owner.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    all_namespaces: z.boolean().default(false).describe('List every namespace you may use instead of one.'),
  }),
  outputSchema: z.object({
    namespaces: z.array(z.string()).describe('Namespaces that were listed.'),
    clusters: z.array(clusterSummary),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const clusterStatus = {
  name: 'cluster_status',
  title: 'Cluster status',
  description:
    'Status of one cluster like `kubectl cnpg status`: phase, instances with role and readiness, replication, conditions, certificate expiry, last backup. `detail: "detailed"` adds the spec and raw status.',
  inputSchema: z.strictObject({
    ...target,
    detail: z.enum(['concise', 'detailed']).default('concise'),
  }),
  outputSchema: z.object({
    cluster: clusterSummary,
    phaseReason: z.string(),
    targetPrimary: z.string(),
    timelineID: z.number(),
    postgresMajor: z.number(),
    storage: z.object({ size: z.string(), storageClass: z.string(), walSize: z.string() }),
    instances: z.array(instanceSummary),
    replication: z.object({
      healthy: z.array(z.string()),
      replicating: z.array(z.string()),
      failed: z.array(z.string()),
    }),
    fencedInstances: z.array(z.string()),
    maintenanceInProgress: z.boolean(),
    conditions: z.array(conditionSummary),
    certificates: z.array(z.object({ secret: z.string(), expires: z.string() })),
    lastSuccessfulBackup: z.string(),
    firstRecoverabilityPoint: z.string(),
    spec: z.record(z.string(), z.unknown()).optional(),
    status: z.record(z.string(), z.unknown()).optional(),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const clusterCreate = {
  name: 'cluster_create',
  title: 'Create a PostgreSQL cluster',
  description:
    'Creates a CloudNativePG cluster labelled with your identity. Choose the PostgreSQL version with `postgres_major`, a full `image`, or an `image_catalog` (at most one). With `wait`, reports progress until the cluster is healthy (cancellable).',
  inputSchema: z.strictObject({
    ...target,
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
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterScale = {
  name: 'cluster_scale',
  title: 'Scale a cluster',
  description: 'Sets the number of instances of a cluster (scale-down removes replicas, never the primary).',
  inputSchema: z.strictObject({
    ...target,
    instances: z.int().min(1).max(9).describe('New number of instances.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousInstances: z.number(), instances: z.number() }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterStorageGrow = {
  name: 'cluster_storage_grow',
  title: 'Grow cluster storage',
  description:
    'Grows the data (and optionally WAL) volumes in place. Shrinking is refused here: use cluster_storage_shrink.',
  inputSchema: z.strictObject({
    ...target,
    storage_size: storageSizeField,
    wal_storage_size: storageSizeField.optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousSize: z.string(), size: z.string() }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterSetParameters = {
  name: 'cluster_set_parameters',
  title: 'Set PostgreSQL parameters',
  description:
    'Sets or removes (value null) PostgreSQL parameters of a cluster with a focused merge patch. Parameters the operator manages (e.g. listen_addresses, port, archive_command) are refused.',
  inputSchema: z.strictObject({
    ...target,
    parameters: z
      .record(parameterNameField, z.string().max(1024).nullable())
      .refine((value) => Object.keys(value).length > 0, 'at least one parameter is required')
      .describe('Parameters to set; null removes one.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ parameters: z.record(z.string(), z.string()) }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterImageUpgrade = {
  name: 'cluster_image_upgrade',
  title: 'Upgrade the PostgreSQL image',
  description:
    'Changes the PostgreSQL image: a minor update is a rolling update; a higher major is an offline in-place upgrade. Downgrading the major version is refused. Give exactly one of `image`, `postgres_major`, `image_catalog`.',
  inputSchema: z.strictObject({
    ...target,
    image: imageField.optional(),
    postgres_major: postgresMajorField.optional(),
    image_catalog: imageCatalogField.optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    previousImage: z.string(),
    image: z.string(),
    majorUpgrade: z.boolean(),
  }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterRestart = {
  name: 'cluster_restart',
  title: 'Restart a cluster or one instance',
  description:
    'Rolling restart of the whole cluster (replicas first, then the primary), or of one instance: a replica pod is recreated, the primary is restarted in place.',
  inputSchema: z.strictObject({
    ...target,
    instance: instanceNameField.optional().describe('Restart only this instance.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterReload = {
  name: 'cluster_reload',
  title: 'Reload configuration',
  description: 'Asks the operator to reconcile and reload the PostgreSQL configuration without restarting.',
  inputSchema: z.strictObject({ ...target, dry_run: dryRunField }),
  outputSchema: mutationOutput,
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterHibernate = {
  name: 'cluster_hibernate',
  title: 'Hibernate a cluster',
  description:
    'Stops every instance while keeping the volumes (annotation cnpg.io/hibernation=on). The database is unavailable until cluster_resume.',
  inputSchema: z.strictObject({ ...target, confirm: confirmField('cluster name'), dry_run: dryRunField }),
  outputSchema: mutationOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const clusterResume = {
  name: 'cluster_resume',
  title: 'Resume a hibernated cluster',
  description: 'Starts a hibernated cluster again from its volumes.',
  inputSchema: z.strictObject({ ...target, dry_run: dryRunField }),
  outputSchema: mutationOutput,
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

const fenceInput = z.strictObject({
  ...target,
  instance: z
    .union([instanceNameField, z.literal('*')])
    .describe('Instance to fence, or "*" for every instance of the cluster.'),
  dry_run: dryRunField,
});

export const clusterFence = {
  name: 'cluster_fence',
  title: 'Fence an instance',
  description:
    'Fences an instance (or "*" for all): the pod keeps running but PostgreSQL is stopped and it gets no traffic. No failover happens for a fenced primary.',
  inputSchema: fenceInput,
  outputSchema: mutationOutput.extend({ fencedInstances: z.array(z.string()) }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterUnfence = {
  name: 'cluster_unfence',
  title: 'Unfence an instance',
  description: 'Lifts fencing from an instance (or "*" for all).',
  inputSchema: fenceInput,
  outputSchema: mutationOutput.extend({ fencedInstances: z.array(z.string()) }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterSwitchover = {
  name: 'cluster_switchover',
  title: 'Switch over the primary',
  description:
    'Promotes a replica to primary through status.targetPrimary (as `kubectl cnpg promote` does). Refused while the cluster is not healthy or the target is not a ready replica, unless `force`.',
  inputSchema: z.strictObject({
    ...target,
    target_instance: instanceNameField
      .optional()
      .describe('Replica to promote; the first ready replica when omitted.'),
    force: z.boolean().default(false).describe('Skip the health checks.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousPrimary: z.string(), targetPrimary: z.string() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterInstanceDestroy = {
  name: 'cluster_instance_destroy',
  title: 'Destroy one instance',
  description:
    'Deletes one instance: its pod and its volumes (unless keep_pvc). The operator recreates a fresh instance to keep the instance count. Refused for the current primary: switch over first.',
  inputSchema: z.strictObject({
    ...target,
    instance: instanceNameField,
    keep_pvc: z.boolean().default(false).describe('Keep the volumes (the pod is recreated on them).'),
    confirm: confirmField('instance name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ deleted: z.array(z.string()) }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'instance',
} satisfies ToolDefinition;

export const clusterMaintenance = {
  name: 'cluster_maintenance',
  title: 'Node maintenance window',
  description:
    'Sets or clears the node maintenance window (spec.nodeMaintenanceWindow), during which instances on drained nodes are not moved and their volumes may be reused.',
  inputSchema: z.strictObject({
    ...target,
    in_progress: z.boolean().describe('true starts the maintenance window, false ends it.'),
    reuse_pvc: z
      .boolean()
      .default(true)
      .describe('Wait for the node and reuse the volume instead of recreating it.'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const clusterDelete = {
  name: 'cluster_delete',
  title: 'Delete a cluster',
  description:
    'Deletes a cluster with all its instances, volumes, services and operator-created secrets. Irreversible: `confirm` must equal the cluster name.',
  inputSchema: z.strictObject({ ...target, confirm: confirmField('cluster name'), dry_run: dryRunField }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

const shrinkStatusOutput = {
  inProgress: z.boolean(),
  targetSize: z
    .string()
    .describe('Size the data volumes are shrinking to ("" when no shrink is in progress).'),
  originalInstances: z
    .number()
    .describe('Instance count to return to at the end (0 when no shrink is in progress).'),
  step: z
    .enum(['start', 'wait', 'switchover', 'destroy', 'finish', 'done'])
    .describe('The step cluster_storage_shrink performs next ("done": nothing left to do).'),
  nextStep: z.string().describe('What happens next, for people.'),
  volumes: z.array(
    z.object({ instance: z.string(), size: z.string(), atTarget: z.boolean(), primary: z.boolean() }),
  ),
};

export const clusterStorageShrink = {
  name: 'cluster_storage_shrink',
  title: 'Shrink cluster storage (guided)',
  description:
    'Shrinks the data volumes, which cannot shrink in place, one safe step per call: (1) allow a smaller size and add one instance at the new size, (2) switch over to an instance at the new size, (3) destroy one oversized replica at a time so the operator recreates it at the new size, (4) scale back and restore validation. Call it again after each step; cluster_storage_shrink_status shows the plan. `confirm` must equal the cluster name.',
  inputSchema: z.strictObject({
    ...target,
    storage_size: storageSizeField.describe(
      'Target size of the data volumes; must be smaller than the current size.',
    ),
    confirm: confirmField('cluster name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ ...shrinkStatusOutput, performed: z.string() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const clusterStorageShrinkStatus = {
  name: 'cluster_storage_shrink_status',
  title: 'Storage shrink status',
  description:
    'Shows the state of a guided storage shrink: target size, each volume and whether it is at the target, and the next step cluster_storage_shrink will take.',
  inputSchema: z.strictObject({ ...target }),
  outputSchema: z.object({ namespace: z.string(), name: z.string(), ...shrinkStatusOutput }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const clusterTools = [
  clusterList,
  clusterStatus,
  clusterCreate,
  clusterScale,
  clusterStorageGrow,
  clusterStorageShrink,
  clusterStorageShrinkStatus,
  clusterSetParameters,
  clusterImageUpgrade,
  clusterRestart,
  clusterReload,
  clusterHibernate,
  clusterResume,
  clusterFence,
  clusterUnfence,
  clusterSwitchover,
  clusterInstanceDestroy,
  clusterMaintenance,
  clusterDelete,
] as const;
