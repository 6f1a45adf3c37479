import { z } from 'zod';

/** Pieces shared by the pooler tools. */

export const poolerSummary = z.object({
  name: z.string(),
  cluster: z.string(),
  type: z.string().describe('rw (to the primary), ro (to replicas) or r (to any instance).'),
  instances: z.number(),
  readyInstances: z
    .number()
    .describe('PgBouncer pods that are Ready (not the operator’s count, which includes starting ones).'),
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

/**
 * A setting PgBouncer knows and CloudNativePG allows. Checked here rather than published as an enum
 * (54 names in every pooler tool's schema): an unknown name is refused with the list.
 */
export const pgbouncerParameterName = z
  .string()
  .regex(/^[a-z_]+$/)
  .refine((name) => (PGBOUNCER_PARAMETERS as readonly string[]).includes(name), {
    error: (issue) =>
      `"${String(issue.input)}" is not a PgBouncer setting CloudNativePG allows; allowed: ${PGBOUNCER_PARAMETERS.join(', ')}`,
  })
  .describe('A PgBouncer setting, e.g. max_client_conn, default_pool_size.');
export const pgbouncerParameterValue = z.string().max(256);

/**
 * PgBouncer's own pg_hba lines (CloudNativePG spec.pgbouncer.pg_hba), checked before the operator's
 * defaults; methods that let clients in without a password are a policy decision.
 */
export const pgHbaField = z
  .array(
    z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^\n\r]+$/, 'one line, no line breaks'),
  )
  .max(50)
  .describe('e.g. "host all all 10.0.0.0/8 scram-sha-256".');

export const poolerInstancesField = z.int().min(0).max(16).describe('PgBouncer pods.');
export const poolModeField = z.enum(['session', 'transaction']);
