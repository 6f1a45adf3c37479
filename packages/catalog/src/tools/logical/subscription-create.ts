import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import {
  action,
  databaseNameField,
  objectNameField,
  pgIdentifierField,
  reclaimPolicyField,
} from '../shared.js';
import { logicalTarget, parametersField } from './shared.js';

export const subscriptionCreate = {
  name: 'subscription_create',
  group: 'logical',
  title: 'Create a subscription',
  description:
    'Subscribes a database to a publication of an external cluster (declared in spec.externalClusters).',
  details:
    'Subscribes a database of a cluster to a publication of an external cluster, which must be declared in the cluster’s spec.externalClusters.',
  inputSchema: z.strictObject({
    ...logicalTarget,
    database: databaseNameField.describe('Receives the data.'),
    publication: pgIdentifierField,
    external_cluster: objectNameField,
    publication_database: databaseNameField.optional().describe('Default: the external cluster’s.'),
    parameters: parametersField.optional(),
    reclaim_policy: reclaimPolicyField.default('retain'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
