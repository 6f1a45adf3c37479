import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../fields.js';
import { mutationOutput } from '../outputs.js';
import type { ToolDefinition } from '../types.js';
import { change, clusterRefField, create, destructive, objectNameField, readOnly } from './shared.js';

export const poolerSummary = z.object({
  name: z.string(),
  cluster: z.string(),
  type: z.string().describe('rw (to the primary), ro (to replicas) or r (to any instance).'),
  instances: z.number(),
  readyInstances: z.number().describe('PgBouncer pods reported by the operator.'),
  poolMode: z.string(),
  paused: z.boolean(),
  phase: z.string().describe('active, paused, inactive or failed (CloudNativePG 1.30+), else "".'),
  service: z.string().describe('Service clients connect to (port 5432).'),
  parameters: z.record(z.string(), z.string()),
  owner: z.string(),
});

/** PgBouncer settings CloudNativePG's Pooler webhook allows (AllowedPgbouncerGenericConfigurationParameters, 1.30). */
export const PGBOUNCER_PARAMETERS = [
  'application_name_add_host',
  'auth_type',
  'autodb_idle_timeout',
  'cancel_wait_timeout',
  'client_idle_timeout',
  'client_login_timeout',
  'client_tls_sslmode',
  'default_pool_size',
  'disable_pqexec',
  'dns_max_ttl',
  'dns_nxdomain_ttl',
  'idle_transaction_timeout',
  'ignore_startup_parameters',
  'listen_backlog',
  'log_connections',
  'log_disconnections',
  'log_pooler_errors',
  'log_stats',
  'max_client_conn',
  'max_db_connections',
  'max_packet_size',
  'max_prepared_statements',
  'max_user_connections',
  'min_pool_size',
  'pkt_buf',
  'query_timeout',
  'query_wait_timeout',
  'reserve_pool_size',
  'reserve_pool_timeout',
  'sbuf_loopcnt',
  'server_check_delay',
  'server_check_query',
  'server_connect_timeout',
  'server_fast_close',
  'server_idle_timeout',
  'server_lifetime',
  'server_login_retry',
  'server_reset_query',
  'server_reset_query_always',
  'server_round_robin',
  'server_tls_ciphers',
  'server_tls_protocols',
  'server_tls_sslmode',
  'stats_period',
  'suspend_timeout',
  'tcp_defer_accept',
  'tcp_socket_buffer',
  'tcp_keepalive',
  'tcp_keepcnt',
  'tcp_keepidle',
  'tcp_keepintvl',
  'tcp_user_timeout',
  'track_extra_parameters',
  'verbose',
] as const;

const parameterName = z.enum(PGBOUNCER_PARAMETERS);
const parameterValue = z.string().max(256);

const instancesField = z.int().min(0).max(16).describe('Number of PgBouncer pods (0 to 16).');
const poolModeField = z
  .enum(['session', 'transaction'])
  .describe('session: a server connection per client session; transaction: per transaction.');

export const poolerList = {
  name: 'pooler_list',
  title: 'List connection poolers',
  description:
    'Lists PgBouncer poolers in a namespace, optionally of one cluster: type, instances, pool mode, phase.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField.optional().describe('Only poolers of this cluster.'),
  }),
  outputSchema: z.object({ namespace: z.string(), poolers: z.array(poolerSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const poolerGet = {
  name: 'pooler_get',
  title: 'Get a connection pooler',
  description: 'One PgBouncer pooler with its settings, service and status.',
  inputSchema: z.strictObject({ namespace: namespaceField.optional(), name: objectNameField }),
  outputSchema: z.object({
    pooler: poolerSummary,
    phaseReason: z.string(),
    status: z.record(z.string(), z.unknown()),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const poolerCreate = {
  name: 'pooler_create',
  title: 'Create a connection pooler',
  description:
    'Creates a PgBouncer pooler in front of a cluster: rw (primary) or ro (replicas), number of instances, pool mode and PgBouncer parameters. Its name must differ from every cluster name in the namespace.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    cluster: clusterRefField,
    type: z
      .enum(['rw', 'ro', 'r'])
      .default('rw')
      .describe('rw: to the primary; ro: to replicas; r: to any instance.'),
    instances: instancesField.default(1),
    pool_mode: poolModeField.default('session'),
    parameters: z.partialRecord(parameterName, parameterValue).optional().describe('PgBouncer parameters.'),
    paused: z.boolean().default(false).describe('Create it paused (clients wait, no server connections).'),
    wait: z
      .boolean()
      .default(false)
      .describe('Wait until every PgBouncer pod is running, reporting progress; cancellable.'),
    wait_timeout_seconds: z.int().min(5).max(600).default(120),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ pooler: poolerSummary, waited: z.boolean() }),
  annotations: create,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const poolerUpdate = {
  name: 'pooler_update',
  title: 'Change a connection pooler',
  description:
    'Changes the pool mode, PgBouncer parameters (null removes one) or pauses and resumes a pooler.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    pool_mode: poolModeField.optional(),
    parameters: z.partialRecord(parameterName, parameterValue.nullable()).optional(),
    paused: z.boolean().optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ pooler: poolerSummary }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const poolerScale = {
  name: 'pooler_scale',
  title: 'Scale a connection pooler',
  description: 'Sets the number of PgBouncer pods of a pooler (0 stops it).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    instances: instancesField,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ previousInstances: z.number(), instances: z.number() }),
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;

export const poolerDelete = {
  name: 'pooler_delete',
  title: 'Delete a connection pooler',
  description:
    'Deletes a pooler with its pods and service; clients using it lose their connections. `confirm` must equal its name.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    confirm: confirmField('pooler name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
} satisfies ToolDefinition;

export const poolerTools = [
  poolerList,
  poolerGet,
  poolerCreate,
  poolerUpdate,
  poolerScale,
  poolerDelete,
] as const;
