/** CNPG's admission webhooks (defaulting and validation) for the rules a management tool can hit. */

import { parseCron, parseQuantity } from '@cnpg-mcp/catalog';
import { type FieldError, fieldErrors } from '../api/errors.js';
import { asRecord, isPlainObject, type KubeObject } from '../types.js';
import { validateApplicationDatabase, validateRecoveryBootstrap } from './cnpg-recovery.js';
import { isDns1035Label } from './names.js';
import { validatePostgresParameters } from './postgres-parameters.js';
import type { AdmissionContext, Webhook, WebhookResult } from './types.js';

export const DEFAULT_POSTGRES_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie';
export const DEFAULT_PGBOUNCER_IMAGE = 'ghcr.io/cloudnative-pg/pgbouncer:1.25.1';

const RESERVED_ROLES = new Set(['postgres', 'streaming_replica']);

function spec(obj: KubeObject): Record<string, unknown> {
  if (!isPlainObject(obj.spec)) obj.spec = {};
  return obj.spec as Record<string, unknown>;
}

/** PG major from an image tag like 18.4-system-trixie; undefined when the tag does not start with a version. */
export function imageMajor(image: string): number | undefined {
  const tag = tagOf(image);
  const m = tag ? /^(\d+)(\.\d+)?/.exec(tag) : null;
  return m ? Number(m[1]) : undefined;
}

function tagOf(image: string): string | undefined {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(colon + 1) : undefined;
}

function validateImage(image: string, errors: FieldError[]): void {
  const tag = tagOf(image);
  if (tag === 'latest') {
    errors.push(fieldErrors.invalid('spec.imageName', image, "Can't use 'latest' as image tag"));
  } else if (tag === undefined && image.includes('@')) {
    errors.push(
      fieldErrors.invalid(
        'spec.imageName',
        image,
        "Can't use just the image sha as we can't detect upgrades",
      ),
    );
  } else if (tag !== undefined && imageMajor(image) === undefined) {
    errors.push(fieldErrors.invalid('spec.imageName', image, 'invalid version tag'));
  }
}

function storageSize(storage: unknown): string | undefined {
  const s = asRecord(storage);
  if (typeof s.size === 'string' && s.size !== '') return s.size;
  const req = asRecord(asRecord(asRecord(asRecord(s.pvcTemplate).resources).requests)).storage;
  return typeof req === 'string' ? req : undefined;
}

function validateStorage(path: string, storage: unknown, old: unknown, errors: FieldError[]): void {
  if (storage === undefined) return;
  const record = asRecord(storage);
  const size = storageSize(record);
  if (size === undefined) {
    errors.push(
      fieldErrors.invalid(
        `${path}.size`,
        record.size ?? '',
        'Size not configured. Please add it, or a storage request in the pvcTemplate.',
      ),
    );
    return;
  }
  if (parseQuantity(size) === undefined) {
    errors.push(fieldErrors.invalid(`${path}.size`, size, "Size value isn't valid"));
    return;
  }
  const oldSize = old === undefined ? undefined : storageSize(old);
  if (oldSize !== undefined && (parseQuantity(oldSize) ?? 0) > (parseQuantity(size) ?? 0)) {
    errors.push(fieldErrors.invalid(path, size, `can't shrink existing storage from ${oldSize} to ${size}`));
  }
}

function validateRoles(roles: unknown, errors: FieldError[]): void {
  if (!Array.isArray(roles)) return;
  const seen = new Set<string>();
  roles.forEach((role, i) => {
    const r = asRecord(role);
    const name = typeof r.name === 'string' ? r.name : '';
    const path = `spec.managed.roles[${i}]`;
    if (seen.has(name))
      errors.push(fieldErrors.invalid(`${path}.name`, name, 'Role name is duplicate of another'));
    seen.add(name);
    if (RESERVED_ROLES.has(name) || name.startsWith('pg_') || name.startsWith('cnpg_')) {
      errors.push(fieldErrors.invalid(`${path}.name`, name, 'This role is reserved for operator use'));
    }
    if (typeof r.connectionLimit === 'number' && r.connectionLimit < -1) {
      errors.push(
        fieldErrors.invalid(
          `${path}.connectionLimit`,
          r.connectionLimit,
          'Connection limit must be greater or equal to -1 (-1 means no limit)',
        ),
      );
    }
    if (r.passwordSecret !== undefined && r.disablePassword === true) {
      errors.push(
        fieldErrors.invalid(`${path}.passwordSecret`, name, 'This role both sets and disables a password'),
      );
    }
  });
}

function validateBootstrap(bootstrap: unknown, errors: FieldError[]): void {
  const b = asRecord(bootstrap);
  const methods = ['initdb', 'recovery', 'pg_basebackup'].filter((m) => b[m] !== undefined);
  if (methods.length > 1) {
    errors.push(
      fieldErrors.forbidden('spec.bootstrap', 'Only one bootstrap method can be specified at a time'),
    );
  }
  if (isPlainObject(b.initdb)) validateApplicationDatabase(b.initdb, 'initdb', errors);
}

function validateFencing(annotations: Record<string, string>, errors: FieldError[]): void {
  const raw = annotations['cnpg.io/fencedInstances'];
  if (raw === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    errors.push(
      fieldErrors.invalid(
        'metadata.annotations.cnpg.io/fencedInstances',
        raw,
        'annotation value must be a JSON array of instance names',
      ),
    );
  }
}

function validateCluster(obj: KubeObject, ctx: AdmissionContext): WebhookResult {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const sp = spec(obj);
  const oldSpec = ctx.old ? asRecord(ctx.old.spec) : undefined;
  const name = obj.metadata.name ?? '';
  if (!isDns1035Label(name)) {
    errors.push(fieldErrors.invalid('metadata.name', name, 'cluster name must be a valid DNS label'));
  }
  if (name.length > 50) {
    errors.push(
      fieldErrors.invalid('metadata.name', name, 'the maximum length of a cluster name is 50 characters'),
    );
  }
  if (typeof sp.imageName === 'string') validateImage(sp.imageName, errors);
  if (oldSpec && typeof sp.imageName === 'string' && typeof oldSpec.imageName === 'string') {
    const from = imageMajor(oldSpec.imageName);
    const to = imageMajor(sp.imageName);
    if (from !== undefined && to !== undefined && to < from) {
      errors.push(
        fieldErrors.invalid('spec.imageName', sp.imageName, `can't downgrade from major ${from} to ${to}`),
      );
    } else if (from !== undefined && to !== undefined && to > from && to < 16) {
      errors.push(
        fieldErrors.invalid(
          'spec.imageName',
          sp.imageName,
          'major upgrades are only supported to version 16 or higher',
        ),
      );
    }
  }
  validateStorage('spec.storage', sp.storage, oldSpec?.storage, errors);
  if (sp.storage === undefined) {
    errors.push(
      fieldErrors.invalid(
        'spec.storage.size',
        '',
        'Size not configured. Please add it, or a storage request in the pvcTemplate.',
      ),
    );
  }
  validateStorage('spec.walStorage', sp.walStorage, oldSpec?.walStorage, errors);
  if (oldSpec?.walStorage !== undefined && sp.walStorage === undefined) {
    errors.push(
      fieldErrors.invalidNoValue('spec.walStorage', "can't disable WAL storage on existing Cluster"),
    );
  }
  validateBootstrap(sp.bootstrap, errors);
  validateRecoveryBootstrap(sp, errors);
  errors.push(
    ...validatePostgresParameters(
      asRecord(asRecord(sp.postgresql).parameters),
      typeof sp.instances === 'number' ? sp.instances : 1,
    ),
  );
  validateRoles(asRecord(sp.managed).roles, errors);
  const instances = typeof sp.instances === 'number' ? sp.instances : 1;
  const maxSync = typeof sp.maxSyncReplicas === 'number' ? sp.maxSyncReplicas : 0;
  const minSync = typeof sp.minSyncReplicas === 'number' ? sp.minSyncReplicas : 0;
  if (maxSync > 0 && maxSync >= instances) {
    errors.push(
      fieldErrors.invalid(
        'spec.maxSyncReplicas',
        maxSync,
        'maxSyncReplicas must be lower than the number of instances',
      ),
    );
  }
  if (minSync > maxSync) {
    errors.push(
      fieldErrors.invalid('spec.minSyncReplicas', minSync, 'cannot be greater than maxSyncReplicas'),
    );
  }
  if (sp.primaryUpdateStrategy === 'supervised' && instances === 1) {
    errors.push(
      fieldErrors.invalid(
        'spec.primaryUpdateStrategy',
        'supervised',
        'supervised not allowed for clusters with a single instance',
      ),
    );
  }
  const annotations = obj.metadata.annotations ?? {};
  const hibernation = annotations['cnpg.io/hibernation'];
  if (hibernation !== undefined && hibernation !== 'on' && hibernation !== 'off') {
    errors.push(
      fieldErrors.invalid(
        'metadata.annotations.cnpg.io/hibernation',
        hibernation,
        'Annotation value for hibernation should be on or off',
      ),
    );
  }
  validateFencing(annotations, errors);
  if (asRecord(sp.backup).barmanObjectStore !== undefined) {
    warnings.push(
      'Native support for Barman Cloud backups and recovery is deprecated and will be completely removed in CloudNativePG 1.31.0. Found usage in: spec.backup.barmanObjectStore. Please migrate existing clusters to the new Barman Cloud Plugin to ensure a smooth transition.',
    );
  }
  return { errors, warnings };
}

function mutateCluster(obj: KubeObject): void {
  const sp = spec(obj);
  if (sp.imageName === undefined && sp.imageCatalogRef === undefined) sp.imageName = DEFAULT_POSTGRES_IMAGE;
  if (sp.bootstrap === undefined) sp.bootstrap = { initdb: {} };
  const bootstrap = asRecord(sp.bootstrap);
  if (isPlainObject(bootstrap.initdb)) {
    const initdb = bootstrap.initdb;
    if (initdb.database === undefined && initdb.owner === undefined) {
      initdb.database = 'app';
      initdb.owner = 'app';
    }
    initdb.encoding ??= 'UTF8';
    initdb.localeCollate ??= 'C';
    initdb.localeCType ??= 'C';
  }
  sp.logLevel ??= 'info';
  const affinity = isPlainObject(sp.affinity) ? sp.affinity : {};
  affinity.podAntiAffinityType ??= 'preferred';
  sp.affinity = affinity;
}

function validateBackupMethod(sp: Record<string, unknown>, errors: FieldError[]): void {
  const method = sp.method ?? 'barmanObjectStore';
  if (method === 'plugin' && sp.pluginConfiguration === undefined) {
    errors.push(
      fieldErrors.invalid(
        'spec.pluginConfiguration',
        null,
        'cannot be empty when the backup method is plugin',
      ),
    );
  }
  if (method === 'barmanObjectStore') {
    if (sp.online !== undefined) {
      errors.push(
        fieldErrors.invalid(
          'spec.online',
          sp.online,
          'Online parameter can be specified only if the backup method is volumeSnapshot',
        ),
      );
    }
    if (sp.onlineConfiguration !== undefined) {
      errors.push(
        fieldErrors.invalidNoValue(
          'spec.onlineConfiguration',
          'Online parameter can be specified only if the backup method is volumeSnapshot',
        ),
      );
    }
  }
}

function validateScheduledBackup(obj: KubeObject): WebhookResult {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const sp = spec(obj);
  if (typeof sp.schedule === 'string') {
    try {
      if (parseCron(sp.schedule).fieldCountWarning) {
        warnings.push(
          'Schedule parameter may not have the right number of arguments (usually six arguments are needed)',
        );
      }
    } catch (err) {
      errors.push(fieldErrors.invalid('spec.schedule', sp.schedule, (err as Error).message));
    }
  }
  validateBackupMethod(sp, errors);
  return { errors, warnings };
}

function validatePooler(obj: KubeObject, ctx: AdmissionContext): WebhookResult {
  const errors: FieldError[] = [];
  const sp = spec(obj);
  const name = obj.metadata.name ?? '';
  if (ctx.lookup('Cluster', obj.metadata.namespace, name)) {
    errors.push(
      fieldErrors.invalid(
        'metadata.name',
        name,
        'the pooler resource cannot have the same name of a cluster',
      ),
    );
  }
  if (asRecord(sp.cluster).name === '' || asRecord(sp.cluster).name === undefined) {
    errors.push(fieldErrors.required('spec.cluster.name', 'the cluster name is required'));
  }
  if (sp.pgbouncer === undefined)
    errors.push(fieldErrors.required('spec.pgbouncer', 'required pgbouncer configuration'));
  return { errors, warnings: [] };
}

function duplicates(list: unknown, path: string, errors: FieldError[]): void {
  if (!Array.isArray(list)) return;
  const seen = new Set<unknown>();
  list.forEach((item, i) => {
    const name = asRecord(item).name;
    if (seen.has(name)) errors.push(fieldErrors.duplicate(`${path}[${i}].name`, name));
    seen.add(name);
  });
}

function validateDatabase(obj: KubeObject): WebhookResult {
  const errors: FieldError[] = [];
  const sp = spec(obj);
  for (const key of ['schemas', 'extensions', 'fdws', 'servers']) duplicates(sp[key], `spec.${key}`, errors);
  return { errors, warnings: [] };
}

/** Webhooks by kind, in CNPG's names. */
export const CNPG_WEBHOOKS: Record<string, Webhook> = {
  Cluster: {
    name: 'vcluster.cnpg.io',
    mutate: mutateCluster,
    validate: validateCluster,
    updateGroup: 'cluster.cnpg.io',
  },
  Backup: {
    name: 'vbackup.cnpg.io',
    validate: (obj) => {
      const errors: FieldError[] = [];
      validateBackupMethod(spec(obj), errors);
      return { errors, warnings: [] };
    },
  },
  ScheduledBackup: { name: 'vscheduledbackup.cnpg.io', validate: validateScheduledBackup },
  Pooler: { name: 'vpooler.cnpg.io', validate: validatePooler },
  Database: { name: 'vdatabase.cnpg.io', validate: validateDatabase },
};
