/**
 * CloudNativePG ScheduledBackup schedules, parsed as CloudNativePG parses them (robfig/cron with
 * Second | Minute | Hour | Dom | Month | DowOptional | Descriptor): six fields with leading seconds
 * (five also parse, the day of week left out), the descriptors @yearly … @hourly, and @every
 * <Go duration>. The one cron parser of the workspace: the tools validate with it and the devstack's
 * emulated operator schedules with it. No npm cron library parses this grammar: they read five
 * fields as minute-first, accept L, W and #, and know no @every.
 */
export interface CronSchedule {
  /** The first time after `after` (UTC, whole seconds) the schedule fires. */
  next(after: Date): Date;
  /** Five fields were given: they parse, but the first is seconds (CloudNativePG warns about it). */
  fieldCountWarning: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, first: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, first: 0 },
] as const;
type Field = (typeof FIELDS)[number];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const DURATION_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("1h30m", "90s", "1.5h") in milliseconds; undefined when it is not one. */
function durationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!/^([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) {
    if (amount === '' || amount === '.') return undefined;
    total += Number(amount) * DURATION_UNIT_MS[unit!]!;
  }
  return total;
}

function fieldValue(text: string, field: Field): number {
  if ('names' in field) {
    const index = (field.names as readonly string[]).indexOf(text.toLowerCase());
    if (index >= 0) return index + field.first;
  }
  if (!/^[0-9]+$/.test(text)) throw new Error(`${field.name}: "${text}" is not a number`);
  const value = Number(text);
  if (value < field.min || value > field.max) {
    throw new Error(`${field.name}: "${text}" is outside ${field.min}-${field.max}`);
  }
  return value;
}

/** The values one field matches: comma-separated `*`, `?`, `a`, `a-b`, each with an optional `/step`. */
function fieldValues(text: string, field: Field): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', step, extra] = item.split('/');
    if (extra !== undefined || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) {
      throw new Error(`${field.name}: bad step "${step}"`);
    }
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      low = field.min;
      high = field.max;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw new Error(`${field.name}: bad range "${range}"`);
      low = fieldValue(bounds[0]!, field);
      // "a/step" runs from a to the end of the field, as in robfig/cron.
      high = bounds[1] !== undefined ? fieldValue(bounds[1], field) : step ? field.max : low;
      if (low > high) throw new Error(`${field.name}: range "${range}" is reversed`);
    }
    for (let value = low; value <= high; value += Number(step ?? 1)) values.add(value);
  }
  return values;
}

function everySchedule(duration: string): CronSchedule {
  const ms = durationMs(duration);
  if (ms === undefined) throw new Error(`bad duration "${duration}" in @every (expected e.g. 1h30m)`);
  // robfig/cron rounds the interval down to whole seconds, and to at least one second.
  const interval = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return {
    fieldCountWarning: false,
    next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + interval),
  };
}

/** Parses a schedule; throws an Error naming what is wrong (the field, the value, the range allowed). */
export function parseCron(spec: string): CronSchedule {
  const text = spec.trim();
  if (text.startsWith('@every ')) return everySchedule(text.slice('@every '.length).trim());
  const expanded = DESCRIPTORS[text] ?? text;
  if (expanded.startsWith('@')) {
    throw new Error(
      `unknown descriptor "${text}" (expected @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>)`,
    );
  }
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new Error(
      `expected 6 fields (second minute hour day-of-month month day-of-week), got ${parts.length}`,
    );
  }
  const fieldCountWarning = parts.length === 5;
  if (fieldCountWarning) parts.push('*');
  const [seconds, minutes, hours, days, months, weekdays] = parts.map((part, i) =>
    fieldValues(part, FIELDS[i]!),
  );
  // As in cron: when both day fields are restricted, either may match; otherwise both must.
  const anyDay = ['*', '?'].includes(parts[3]!) || ['*', '?'].includes(parts[5]!);
  const dayMatches = (t: Date) =>
    anyDay
      ? days!.has(t.getUTCDate()) && weekdays!.has(t.getUTCDay())
      : days!.has(t.getUTCDate()) || weekdays!.has(t.getUTCDay());
  return {
    fieldCountWarning,
    next(after: Date): Date {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      const limit = after.getTime() + 5 * 366 * 86_400_000;
      while (t.getTime() < limit) {
        if (!months!.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0);
        } else if (!hours!.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0);
        } else if (!minutes!.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0);
        } else if (!seconds!.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1);
        } else {
          return t;
        }
      }
      throw new Error(`schedule "${spec}" never fires`);
    },
  };
}

/**
 * What the tools refuse in a schedule, or undefined when it is fine: anything CloudNativePG would
 * not parse, and five fields, which it parses with the first as seconds (almost never what was meant).
 */
export function cronProblem(schedule: string): string | undefined {
  try {
    if (!parseCron(schedule).fieldCountWarning) return undefined;
    return 'expected 6 fields (second minute hour day-of-month month day-of-week), got 5; CloudNativePG reads the first field as seconds, so prepend "0 "';
  } catch (error) {
    return (error as Error).message;
  }
}
