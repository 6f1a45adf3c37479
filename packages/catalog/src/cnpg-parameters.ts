/**
 * What CloudNativePG (v1.30.0; the same in 1.29) accepts in a Cluster's
 * spec.postgresql.parameters: facts about CNPG, in one place for the tools (which refuse before
 * writing) and the devstack emulator (which refuses as CNPG's webhook does). Sources, in
 * cloudnative-pg/cloudnative-pg: pkg/postgres/configuration.go (FixedConfigurationParameters,
 * CnpgConfigurationSettings, CreatePostgresqlConfiguration), pkg/postgres/booleans.go,
 * internal/webhook/v1/cluster_webhook.go (validateConfiguration, validateWalSizeConfiguration,
 * parsePostgresQuantityValue).
 */
import { parseQuantity } from './quantity.js';

/**
 * The parameters the operator owns: `fixed` ones it sets itself (ports, TLS files, archiving,
 * replication), `blocked` ones that must keep PostgreSQL's default for the operator to work.
 */
export const CNPG_FIXED_PARAMETERS: Readonly<Record<string, 'fixed' | 'blocked'>> = {
  allow_system_table_mods: 'blocked',
  archive_cleanup_command: 'blocked',
  archive_command: 'fixed',
  archive_mode: 'fixed',
  bonjour: 'blocked',
  bonjour_name: 'blocked',
  cluster_name: 'fixed',
  config_file: 'blocked',
  data_directory: 'blocked',
  data_sync_retry: 'blocked',
  event_source: 'blocked',
  external_pid_file: 'blocked',
  hba_file: 'blocked',
  hot_standby: 'blocked',
  ident_file: 'blocked',
  jit_provider: 'blocked',
  listen_addresses: 'blocked',
  log_destination: 'blocked',
  log_directory: 'blocked',
  log_file_mode: 'blocked',
  log_filename: 'blocked',
  log_rotation_age: 'blocked',
  log_rotation_size: 'blocked',
  log_truncate_on_rotation: 'blocked',
  logging_collector: 'blocked',
  'pg_failover_slots.primary_dsn': 'fixed',
  'pg_failover_slots.standby_slot_names': 'fixed',
  port: 'fixed',
  primary_conninfo: 'fixed',
  primary_slot_name: 'fixed',
  promote_trigger_file: 'blocked',
  recovery_end_command: 'blocked',
  recovery_min_apply_delay: 'blocked',
  recovery_target: 'fixed',
  recovery_target_action: 'fixed',
  recovery_target_inclusive: 'fixed',
  recovery_target_lsn: 'fixed',
  recovery_target_name: 'fixed',
  recovery_target_time: 'fixed',
  recovery_target_timeline: 'fixed',
  recovery_target_xid: 'fixed',
  restart_after_crash: 'blocked',
  restore_command: 'fixed',
  shared_preload_libraries: 'fixed',
  ssl: 'fixed',
  ssl_ca_file: 'fixed',
  ssl_cert_file: 'fixed',
  ssl_crl_file: 'fixed',
  ssl_dh_params_file: 'fixed',
  ssl_ecdh_curve: 'fixed',
  ssl_key_file: 'fixed',
  ssl_passphrase_command: 'fixed',
  ssl_passphrase_command_supports_reload: 'fixed',
  ssl_prefer_server_ciphers: 'fixed',
  stats_temp_directory: 'blocked',
  synchronized_standby_slots: 'fixed',
  synchronous_standby_names: 'fixed',
  syslog_facility: 'blocked',
  syslog_ident: 'blocked',
  syslog_sequence_numbers: 'blocked',
  syslog_split_messages: 'blocked',
  temp_tablespaces: 'fixed',
  unix_socket_directories: 'blocked',
  unix_socket_group: 'blocked',
  unix_socket_permissions: 'blocked',
};

/**
 * The value CNPG's own configuration gives a fixed parameter, which is the one value the webhook
 * lets a Cluster "set" it to (its defaults; archive_mode for a cluster that archives WAL).
 */
export const CNPG_FIXED_PARAMETER_VALUES: Readonly<Record<string, string>> = {
  archive_mode: 'on',
  log_destination: 'csvlog',
  log_directory: '/controller/log',
  log_filename: 'postgres',
  log_rotation_age: '0',
  log_rotation_size: '0',
  log_truncate_on_rotation: 'false',
  logging_collector: 'on',
  shared_preload_libraries: '',
};

/** What CNPG's configuration has when the Cluster does not say: the values its rules start from. */
const CNPG_DEFAULTS = { wal_level: 'logical', min_wal_size: '80MB', max_wal_size: '1GB' } as const;

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;
const BOOLEAN_PARAMETERS = ['hot_standby_feedback', 'sync_replication_slots', 'wal_log_hints'] as const;

/** A PostgreSQL boolean (on, off, true, false, yes, no, 1, 0 and unambiguous prefixes); undefined when it is not one. */
export function parsePostgresBoolean(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (['1', 'on', 'y', 'ye', 'yes', 't', 'tr', 'tru', 'true'].includes(v)) return true;
  if (['0', 'of', 'off', 'n', 'no', 'f', 'fa', 'fal', 'fals', 'false'].includes(v)) return false;
  return undefined;
}

/**
 * A PostgreSQL size as CNPG's webhook reads it, in bytes: a bare number is MB, otherwise the unit
 * must end in B and is binary (kB, MB, GB, TB); undefined when CNPG could not read it.
 */
export function parsePostgresSize(value: string): number | undefined {
  let text = /^[+-]?\d+$/.test(value) ? `${value}MB` : value;
  if (!text.endsWith('B')) return undefined;
  text = text.slice(0, -1).replaceAll(' ', '');
  if (!/^[+-]?\d+$/.test(text)) text = `${text}i`.replace('ki', 'Ki');
  return parseQuantity(text);
}

/** What the rules depend on besides the parameters themselves. */
export interface ParameterContext {
  instances: number;
  /** spec.walStorage.size, when the cluster has a WAL volume. */
  walStorageSize?: string | undefined;
  /** 'off' when the Cluster carries cnpg.io/skipWalArchiving: enabled, 'always' for a replica cluster. */
  archiveMode?: 'on' | 'off' | 'always';
}

export interface ParameterProblem {
  parameter: string;
  message: string;
}

/**
 * What CloudNativePG's validating webhook refuses in a Cluster's parameters (all of them, as the
 * Cluster would have them): names, operator-owned parameters, wal_level and what it needs, the
 * booleans and sizes it reads, and the WAL sizes against each other and the WAL volume.
 */
export function cnpgParameterProblems(
  parameters: Readonly<Record<string, string>>,
  context: ParameterContext,
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const problem = (parameter: string, message: string) => problems.push({ parameter, message });
  const archiveMode = context.archiveMode ?? 'on';
  for (const [name, value] of Object.entries(parameters)) {
    if (!PARAMETER_NAME.test(name)) {
      problem(name, 'is not a PostgreSQL parameter name (a GUC name, optionally with one dot)');
      continue;
    }
    if (Object.hasOwn(CNPG_FIXED_PARAMETERS, name)) {
      const own = name === 'archive_mode' ? archiveMode : CNPG_FIXED_PARAMETER_VALUES[name];
      if (value !== own) problem(name, 'is managed by the CloudNativePG operator and cannot be set');
    }
  }

  const walLevel = parameters.wal_level ?? CNPG_DEFAULTS.wal_level;
  if (!['logical', 'replica', 'minimal'].includes(walLevel)) {
    problem('wal_level', `"${walLevel}" is not one of logical, replica, minimal`);
  } else if (walLevel === 'minimal') {
    if (context.instances > 1 || archiveMode !== 'off') {
      problem(
        'wal_level',
        'minimal needs a single instance and WAL archiving switched off (replicas and backups read the WAL); use replica or logical',
      );
    }
    if (parameters.max_wal_senders !== '0') problem('max_wal_senders', 'must be 0 when wal_level is minimal');
  }

  const sharedBuffers = parameters.shared_buffers;
  if (sharedBuffers && parsePostgresSize(sharedBuffers) === undefined) {
    problem('shared_buffers', `"${sharedBuffers}" is not a size CloudNativePG can read (e.g. 512MB, 2GB)`);
  }

  for (const name of BOOLEAN_PARAMETERS) {
    const value = parameters[name];
    if (value !== undefined && parsePostgresBoolean(value) === undefined) {
      problem(name, `"${value}" is not a PostgreSQL boolean (on, off, true, false…)`);
    }
  }
  if (parameters.wal_log_hints !== undefined && parsePostgresBoolean(parameters.wal_log_hints) === false) {
    if (context.instances > 1)
      problem('wal_log_hints', 'must be on when the cluster has more than one instance');
  }

  problems.push(...walSizeProblems(parameters, context.walStorageSize));
  return problems;
}

/** min_wal_size < max_wal_size, and each one set below the WAL volume's size. */
function walSizeProblems(
  parameters: Readonly<Record<string, string>>,
  walStorageSize: string | undefined,
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const read = (name: 'min_wal_size' | 'max_wal_size') => {
    const given = parameters[name] || undefined;
    const text = given ?? CNPG_DEFAULTS[name];
    const bytes = parsePostgresSize(text);
    if (bytes === undefined) {
      problems.push({
        parameter: name,
        message: `"${text}" is not a size CloudNativePG can read (e.g. 80MB, 1GB)`,
      });
    }
    return { given, bytes };
  };
  const min = read('min_wal_size');
  const max = read('max_wal_size');
  if (min.bytes && max.bytes && min.bytes >= max.bytes) {
    problems.push({
      parameter: 'min_wal_size',
      message: `must be smaller than max_wal_size (defaults ${CNPG_DEFAULTS.min_wal_size} and ${CNPG_DEFAULTS.max_wal_size})`,
    });
  }
  const volume = walStorageSize ? parseQuantity(walStorageSize) : undefined;
  if (volume === undefined) return problems;
  for (const [name, size] of [
    ['min_wal_size', min],
    ['max_wal_size', max],
  ] as const) {
    if (size.given !== undefined && size.bytes && size.bytes >= volume) {
      problems.push({
        parameter: name,
        message: `must be smaller than the WAL volume (${walStorageSize})`,
      });
    }
  }
  return problems;
}
