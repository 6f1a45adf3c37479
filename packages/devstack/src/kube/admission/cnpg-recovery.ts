/**
 * The Cluster webhook's rules for bootstrapping from a backup or another server, as CNPG 1.30
 * applies them (internal/webhook/v1/cluster_webhook.go: validateRecoveryTarget,
 * validateBootstrapRecoverySource, validateBootstrapRecoveryDataSource,
 * validateBootstrapPgBaseBackupSource, validateRecoveryApplicationDatabase).
 */
import { type FieldError, fieldErrors } from '../api/errors.js';
import { asRecord, isPlainObject } from '../types.js';

const RECOVERY = 'spec.bootstrap.recovery';
const TARGET = `${RECOVERY}.recoveryTarget`;

/**
 * machinery's types.ParseTargetTime: lib/pq timestamps (`2006-01-02 15:04:05[.ffffff][±hh[:mm]]`),
 * RFC 3339 (with or without microseconds) and RFC 3339 without a zone.
 */
const TARGET_TIME_FORMATS = [
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([+-]\d{2}(:?\d{2}(:?\d{2})?)?)?$/,
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/,
];

export function isTargetTime(value: string): boolean {
  return TARGET_TIME_FORMATS.some((format) => {
    const m = format.exec(value);
    if (!m) return false;
    const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as number[];
    const daysInMonth = new Date(Date.UTC(Number(m[1]), month!, 0)).getUTCDate();
    return (
      month! >= 1 &&
      month! <= 12 &&
      day! >= 1 &&
      day! <= daysInMonth &&
      hour! < 24 &&
      minute! < 60 &&
      second! < 60
    );
  });
}

/** machinery's types.LSN.Parse: two hexadecimal numbers separated by "/". */
function isLsn(value: string): boolean {
  return /^[0-9A-Fa-f]+\/[0-9A-Fa-f]+$/.test(value);
}

function validateTarget(recovery: Record<string, unknown>, errors: FieldError[]): void {
  if (!isPlainObject(recovery.recoveryTarget)) return;
  const target = recovery.recoveryTarget;
  const text = (key: string) => (typeof target[key] === 'string' ? (target[key] as string) : '');
  const chosen = [
    target.targetImmediate !== undefined,
    text('targetLSN') !== '',
    text('targetName') !== '',
    text('targetXID') !== '',
    text('targetTime') !== '',
  ].filter(Boolean).length;
  if (chosen > 1) {
    errors.push(fieldErrors.invalid(TARGET, target, 'Recovery target options are mutually exclusive'));
  }
  if (text('targetTime') !== '' && !isTargetTime(text('targetTime'))) {
    errors.push(fieldErrors.invalid(TARGET, text('targetTime'), 'The format of TargetTime is invalid'));
  }
  if (text('targetLSN') !== '' && !isLsn(text('targetLSN'))) {
    errors.push(fieldErrors.invalid(TARGET, text('targetLSN'), 'Invalid TargetLSN'));
  }
  const xid = text('targetXID');
  if (xid !== '' && !(/^\d+$/.test(xid) && Number(xid) <= 0xffffffff)) {
    errors.push(
      fieldErrors.invalid(
        `${TARGET}.targetXID`,
        xid,
        'recovery target xid must be a non-negative 32-bit integer',
      ),
    );
  }
  const name = text('targetName');
  if (Buffer.byteLength(name) >= 64) {
    errors.push(
      fieldErrors.invalid(`${TARGET}.targetName`, name, 'recovery target name must be shorter than 64 bytes'),
    );
  }
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    errors.push(
      fieldErrors.invalid(
        `${TARGET}.targetName`,
        name,
        'recovery target name must not contain ASCII control characters',
      ),
    );
  }
  // With a backup catalog only time-based targets identify the backup to start from.
  const labelBased = name !== '' || xid !== '' || target.targetImmediate !== undefined;
  if (labelBased && recovery.volumeSnapshots === undefined && text('backupID') === '') {
    errors.push(fieldErrors.required(TARGET, 'BackupID is missing'));
  }
  const tli = text('targetTLI');
  if (tli !== '' && tli !== 'latest' && !(/^[+-]?\d+$/.test(tli) && Number(tli) >= 1)) {
    errors.push(
      fieldErrors.invalid(
        `${TARGET}.targetTLI`,
        target,
        "recovery target timeline can be set to 'latest' or a positive integer",
      ),
    );
  }
}

function externalCluster(spec: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const list = Array.isArray(spec.externalClusters) ? spec.externalClusters : [];
  return list.map(asRecord).find((c) => c.name === name);
}

function validateSource(
  spec: Record<string, unknown>,
  recovery: Record<string, unknown>,
  errors: FieldError[],
) {
  if (typeof recovery.source !== 'string' || recovery.source === '') return;
  const found = externalCluster(spec, recovery.source);
  if (!found) {
    errors.push(
      fieldErrors.invalid(
        `${RECOVERY}.source`,
        recovery.source,
        `External cluster ${recovery.source} not found`,
      ),
    );
  }
  const usable =
    found && (found.connectionParameters ?? found.barmanObjectStore ?? found.plugin) !== undefined;
  if (!usable) {
    errors.push(
      fieldErrors.invalid(
        `${RECOVERY}.source`,
        recovery.source,
        `External cluster ${recovery.source} cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration`,
      ),
    );
  }
}

function validateSnapshotSource(value: unknown, path: string, errors: FieldError[]): void {
  const ref = asRecord(value);
  const group = typeof ref.apiGroup === 'string' ? ref.apiGroup : '';
  const ok =
    (group === 'snapshot.storage.k8s.io' && ref.kind === 'VolumeSnapshot') ||
    (group === '' && ref.kind === 'PersistentVolumeClaim');
  if (!ok)
    errors.push(
      fieldErrors.invalid(path, value, 'Only VolumeSnapshots and PersistentVolumeClaims are supported'),
    );
}

function validateDataSource(
  spec: Record<string, unknown>,
  recovery: Record<string, unknown>,
  errors: FieldError[],
) {
  if (recovery.volumeSnapshots === undefined) return;
  if (recovery.backup !== undefined) {
    errors.push(
      fieldErrors.invalid(
        `${RECOVERY}.backup`,
        recovery.backup,
        'Recovery from dataSource is not compatible with other types of recovery',
      ),
    );
    return;
  }
  const backupID = asRecord(recovery.recoveryTarget).backupID;
  if (typeof backupID === 'string' && backupID !== '') {
    errors.push(
      fieldErrors.invalid(
        `${TARGET}.backupID`,
        backupID,
        'Cannot specify a backupID when recovering using a DataSource',
      ),
    );
    return;
  }
  const snapshots = asRecord(recovery.volumeSnapshots);
  validateSnapshotSource(snapshots.storage, `${RECOVERY}.storage`, errors);
  if (snapshots.walStorage !== undefined) {
    const path = `${RECOVERY}.dataSource.walStorage`;
    if (spec.walStorage === undefined) {
      errors.push(
        fieldErrors.invalid(
          path,
          snapshots.walStorage,
          'A WAL storage configuration is required when recovering using a DataSource for WALs',
        ),
      );
    }
    validateSnapshotSource(snapshots.walStorage, path, errors);
  }
}

/** A bootstrap method's database and owner go together (validateApplicationDatabase). */
export function validateApplicationDatabase(
  method: Record<string, unknown>,
  name: string,
  errors: FieldError[],
): void {
  const database = typeof method.database === 'string' ? method.database : '';
  const owner = typeof method.owner === 'string' ? method.owner : '';
  if (database !== '' && owner === '') {
    errors.push(
      fieldErrors.invalid(`spec.bootstrap.${name}.owner`, '', 'You need to specify the database owner user'),
    );
  }
  if (owner !== '' && database === '') {
    errors.push(
      fieldErrors.invalid(`spec.bootstrap.${name}.database`, '', 'You need to specify the database name'),
    );
  }
}

/** Every recovery and pg_basebackup rule of the Cluster webhook. */
export function validateRecoveryBootstrap(spec: Record<string, unknown>, errors: FieldError[]): void {
  const bootstrap = asRecord(spec.bootstrap);
  if (isPlainObject(bootstrap.recovery)) {
    const recovery = bootstrap.recovery;
    validateApplicationDatabase(recovery, 'recovery', errors);
    validateTarget(recovery, errors);
    validateSource(spec, recovery, errors);
    validateDataSource(spec, recovery, errors);
  }
  if (isPlainObject(bootstrap.pg_basebackup)) {
    const basebackup = bootstrap.pg_basebackup;
    validateApplicationDatabase(basebackup, 'pg_basebackup', errors);
    const source = typeof basebackup.source === 'string' ? basebackup.source : '';
    if (!externalCluster(spec, source)) {
      errors.push(
        fieldErrors.invalid(
          'spec.bootstrap.pg_basebackup.source',
          source,
          `External cluster ${source} not found`,
        ),
      );
    }
  }
}
