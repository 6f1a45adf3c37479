/**
 * CNPG's rules for spec.postgresql.parameters: parameters the operator owns may not be set (unless
 * to the value CNPG itself uses), and which parameters need a restart rather than a reload.
 */
import { CNPG_FIXED_PARAMETER_VALUES, CNPG_FIXED_PARAMETERS } from '@cnpg-mcp/catalog';
import { type FieldError, fieldErrors } from '../api/errors.js';

/** CNPG's operator-owned parameters and the one value each may be "set" to: one list, in the catalogue. */
const FIXED = new Set(Object.keys(CNPG_FIXED_PARAMETERS));
const DEFAULTS = CNPG_FIXED_PARAMETER_VALUES;

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
