import { z } from 'zod';
import { dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterRefField, objectNameField } from '../shared.js';
import {
  pgbouncerParameterName,
  pgbouncerParameterValue,
  pgHbaField,
  poolerInstancesField,
  poolerSummary,
  poolModeField,
} from './shared.js';

export const poolerCreate = {
  name: 'pooler_create',
  group: 'poolers',
  title: 'Create a connection pooler',
  description:
    'Creates a PgBouncer pooler for a cluster; its name must differ from the namespace’s clusters and their -rw/-ro/-r services.',
  details:
    'Creates a PgBouncer pooler in front of a cluster: rw (primary) or ro (replicas), number of instances, pool mode and PgBouncer parameters. Its name must differ from every cluster name in the namespace and from the names of their Services (<cluster>-rw, -ro, -r).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    cluster: clusterRefField,
    type: z.enum(['rw', 'ro', 'r']).default('rw').describe('rw: primary; ro: replicas; r: any.'),
    instances: poolerInstancesField.default(1),
    pool_mode: poolModeField.default('session'),
    parameters: z.record(pgbouncerParameterName, pgbouncerParameterValue).optional(),
    pg_hba: pgHbaField.optional(),
    paused: z.boolean().default(false),
    wait: z.boolean().default(false),
    wait_timeout_seconds: z.int().min(5).max(600).default(120),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ pooler: poolerSummary, waited: z.boolean() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
