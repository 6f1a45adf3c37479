import { z } from 'zod';
import { clusterNameField } from '../fields.js';

/** Field schemas shared by the role, database, backup, pooler, observability and logical-replication tools. */

export const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
export const create = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
export const change = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
export const destructive = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

export const clusterRefField = clusterNameField.describe(
  'Name of the CloudNativePG cluster (DNS-1035 label, at most 50 characters).',
);

/** A Kubernetes object name we create or address (DNS-1123 label). */
export const objectNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .describe('Kubernetes object name (DNS-1123 label, at most 63 characters).');

/** A PostgreSQL identifier as the tools accept it: lower case, unquoted, at most 63 bytes. */
export const pgIdentifierField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z_][a-z0-9_]*$/)
  .describe('PostgreSQL identifier (lower case letters, digits and _, at most 63 characters).');

/** Role names CloudNativePG reserves (postgres, streaming_replica, pg_*, cnpg_*) are refused by the pattern. */
export const roleNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^(?!pg_|cnpg_|postgres$|streaming_replica$)[a-z_][a-z0-9_]*$/)
  .describe(
    'PostgreSQL role name (lower case, digits, _; not postgres, streaming_replica, pg_* or cnpg_*, which the operator reserves).',
  );

/** Reserved databases are refused by the pattern. */
export const databaseNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^(?!postgres$|template0$|template1$)[a-z_][a-z0-9_]*$/)
  .describe('PostgreSQL database name (not postgres, template0 or template1).');

export const reclaimPolicyField = z
  .enum(['retain', 'delete'])
  .describe(
    'What happens in PostgreSQL when the Kubernetes object is deleted: retain keeps it, delete drops it.',
  );

export const waitTimeoutField = z
  .int()
  .min(5)
  .max(3600)
  .default(600)
  .describe('How long to wait, in seconds (5 to 3600).');

export const limitField = z
  .int()
  .min(1)
  .max(500)
  .default(50)
  .describe('At most this many entries (1 to 500).');

/** Object name and status summary every CNPG object listing shares. */
export const appliedFields = {
  applied: z.boolean().nullable().describe('Whether the instance manager applied it; null before it tried.'),
  message: z.string().describe('The instance manager’s message, e.g. the SQL error; "" when applied.'),
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const CRON_FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, offset: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, offset: 0 },
] as const;

function cronValue(text: string, field: (typeof CRON_FIELDS)[number]): number | undefined {
  const lower = text.toLowerCase();
  if ('names' in field) {
    const index = (field.names as readonly string[]).indexOf(lower);
    if (index >= 0) return index + field.offset;
  }
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Checks a CloudNativePG ScheduledBackup schedule: six fields with leading seconds (robfig/cron),
 * or a descriptor such as @daily or @every 1h. Returns the problem, or undefined when valid.
 */
export function cronProblem(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (trimmed.startsWith('@')) {
    if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(trimmed)) return undefined;
    if (/^@every ([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(trimmed)) return undefined;
    return `unknown descriptor "${trimmed}" (expected @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>)`;
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 6) {
    return `expected 6 fields (second minute hour day-of-month month day-of-week), got ${parts.length}${parts.length === 5 ? '; CloudNativePG reads the first field as seconds, so prepend "0 "' : ''}`;
  }
  for (const [i, part] of parts.entries()) {
    const field = CRON_FIELDS[i]!;
    for (const item of part.split(',')) {
      const [range = '', step] = item.split('/');
      if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `${field.name}: bad step "${step}"`;
      if (range === '*' || (range === '?' && i >= 3)) continue;
      const bounds = range.split('-');
      if (bounds.length > 2) return `${field.name}: bad range "${range}"`;
      const values = bounds.map((b) => cronValue(b, field));
      for (const [j, value] of values.entries()) {
        if (value === undefined || value < field.min || value > field.max) {
          return `${field.name}: "${bounds[j]}" is outside ${field.min}-${field.max}`;
        }
      }
      if (values.length === 2 && values[0]! > values[1]!)
        return `${field.name}: range "${range}" is reversed`;
    }
  }
  return undefined;
}

export const cronScheduleField = z
  .string()
  .min(6)
  .max(100)
  .regex(/^(@[a-z]+( [0-9a-zµ.]+)?|\S+( \S+){5})$/)
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'Six-field cron schedule with leading seconds, as CloudNativePG reads it: "0 0 2 * * *" is every day at 02:00:00. Descriptors such as "@daily" or "@every 6h" also work.',
  );

export const backupMethodField = z
  .enum(['plugin', 'volumeSnapshot', 'barmanObjectStore'])
  .describe(
    'How to back up: plugin (e.g. the Barman Cloud plugin), volumeSnapshot, or the in-tree barmanObjectStore (deprecated). Detected from the cluster when omitted.',
  );

export const pluginNameField = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
  .describe('Backup plugin name; detected from the cluster, else "barman-cloud.cloudnative-pg.io".');

export const backupTargetField = z
  .enum(['primary', 'prefer-standby'])
  .describe('Take the backup on the primary or, when one is available, a standby.');

/** Optional wait for the instance manager (or operator) to act, with progress notifications. */
export const waitFields = {
  wait: z
    .boolean()
    .default(false)
    .describe(
      'Wait until it is applied (or the reason it is not is known), reporting progress; cancellable.',
    ),
  wait_timeout_seconds: z
    .int()
    .min(5)
    .max(600)
    .default(120)
    .describe('How long to wait, in seconds (5 to 600).'),
};

export const waitOutputs = {
  applied: z
    .boolean()
    .nullable()
    .describe('Applied when the call returned; null when not known (no wait, or dry run).'),
  waited: z.boolean(),
};
