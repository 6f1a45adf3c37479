/**
 * CNPG's rules for spec.postgresql.parameters: parameters the operator owns may not be set (unless
 * to the value CNPG itself uses), and which parameters need a restart rather than a reload.
 */
import { type FieldError, fieldErrors } from '../api/errors.js';

const FIXED = new Set([
  'allow_system_table_mods',
  'archive_mode',
  'bonjour',
  'bonjour_name',
  'cluster_name',
  'config_file',
  'data_directory',
  'data_sync_retry',
  'dynamic_shared_memory_type',
  'event_source',
  'external_pid_file',
  'hba_file',
  'hot_standby',
  'huge_pages',
  'ident_file',
  'jit_provider',
  'listen_addresses',
  'logging_collector',
  'port',
  'primary_conninfo',
  'primary_slot_name',
  'recovery_target',
  'recovery_target_action',
  'recovery_target_inclusive',
  'recovery_target_lsn',
  'recovery_target_name',
  'recovery_target_time',
  'recovery_target_timeline',
  'recovery_target_xid',
  'restore_command',
  'shared_preload_libraries',
  'shared_memory_type',
  'unix_socket_directories',
  'unix_socket_group',
  'unix_socket_permissions',
  'archive_cleanup_command',
  'archive_command',
  'archive_timeout',
  'full_page_writes',
  'log_destination',
  'log_directory',
  'log_file_mode',
  'log_filename',
  'log_rotation_age',
  'log_rotation_size',
  'log_truncate_on_rotation',
  'promote_trigger_file',
  'recovery_end_command',
  'recovery_min_apply_delay',
  'restart_after_crash',
  'ssl',
  'ssl_ca_file',
  'ssl_cert_file',
  'ssl_ciphers',
  'ssl_crl_file',
  'ssl_dh_params_file',
  'ssl_ecdh_curve',
  'ssl_key_file',
  'ssl_max_protocol_version',
  'ssl_min_protocol_version',
  'ssl_passphrase_command',
  'ssl_passphrase_command_supports_reload',
  'ssl_prefer_server_ciphers',
  'stats_temp_directory',
  'synchronous_standby_names',
  'syslog_facility',
  'syslog_ident',
  'syslog_sequence_numbers',
  'syslog_split_messages',
]);

/** CNPG's default settings: a fixed parameter may be "set" to exactly these values. */
const DEFAULTS: Record<string, string> = {
  logging_collector: 'on',
  log_destination: 'csvlog',
  log_rotation_age: '0',
  log_rotation_size: '0',
  log_truncate_on_rotation: 'false',
  log_directory: '/controller/log',
  log_filename: 'postgres',
  shared_preload_libraries: '',
};

/** Parameters PostgreSQL reads only at server start (context "postmaster"). */
export const RESTART_PARAMETERS = new Set([
  'shared_buffers',
  'max_connections',
  'max_worker_processes',
  'max_prepared_transactions',
  'max_locks_per_transaction',
  'max_pred_locks_per_transaction',
  'max_wal_senders',
  'max_replication_slots',
  'wal_buffers',
  'track_commit_timestamp',
  'max_files_per_process',
  'superuser_reserved_connections',
  'autovacuum_max_workers',
  'max_logical_replication_workers',
  'old_snapshot_threshold',
]);

const TRUE = new Set(['on', 'true', 'yes', '1']);

export function validatePostgresParameters(
  parameters: Record<string, unknown>,
  instances: number,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(parameters)) {
    const path = `spec.postgresql.parameters.${key}`;
    if (key === 'wal_log_hints') {
      if (instances > 1 && !TRUE.has(String(value).toLowerCase())) {
        errors.push(
          fieldErrors.invalid(path, value, '`wal_log_hints` must be set to `on` when `instances` > 1'),
        );
      }
    } else if (key === 'wal_level') {
      if (!['logical', 'replica', 'minimal'].includes(String(value))) {
        errors.push(
          fieldErrors.invalid(
            path,
            value,
            'unrecognized `wal_level` value - allowed values: `logical`, `replica`, `minimal`',
          ),
        );
      }
    } else if (FIXED.has(key) && DEFAULTS[key] !== value) {
      errors.push(fieldErrors.invalid(path, value, "Can't set fixed configuration parameter"));
    }
  }
  return errors;
}
