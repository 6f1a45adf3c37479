/** CloudNativePG ScheduledBackup schedules (robfig/cron with leading seconds). */
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
