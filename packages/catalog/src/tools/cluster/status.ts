import { z } from 'zod';
import { clusterSummary, conditionSummary, instanceSummary } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { backupOverview } from '../backups/shared.js';
import { clusterTarget, readOnly } from '../shared.js';
import { validationOutput } from './shared.js';

export const clusterStatus = {
  name: 'cluster_status',
  group: 'cluster',
  title: 'Cluster status',
  description:
    'One cluster’s health like kubectl cnpg status: instances, replication, conditions, certificates, backups; detail "detailed" adds spec and status.',
  details:
    'Status of one cluster like `kubectl cnpg status`: phase, instances with role and readiness, replication, conditions, certificate expiry, continuous WAL archiving (and why it fails), the recoverability window, the last backup of each method, and whether admission validation is switched off. `detail: "detailed"` adds the spec and raw status.',
  inputSchema: z.strictObject({
    ...clusterTarget,
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
    backups: backupOverview.describe('WAL archiving, recoverability window, last backup per method.'),
    validation: validationOutput,
    spec: z.record(z.string(), z.unknown()).optional(),
    status: z.record(z.string(), z.unknown()).optional(),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
