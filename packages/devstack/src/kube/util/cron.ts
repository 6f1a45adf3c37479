/**
 * robfig/cron v1 schedules as CNPG's ScheduledBackup parses them: six fields with leading seconds
 * (five also parse, with day-of-week optional), descriptors like @daily, and @every <duration>.
 */
export interface CronSchedule {
  next(after: Date): Date;
  /** Five fields parse but the first is seconds: CNPG warns about it. */
  fieldCountWarning: boolean;
}

const RANGES: [number, number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

function parseValue(text: string, index: number): number {
  const lower = text.toLowerCase();
  if (index === 4 && MONTHS.includes(lower)) return MONTHS.indexOf(lower) + 1;
  if (index === 5 && DAYS.includes(lower)) return DAYS.indexOf(lower);
  if (!/^\d+$/.test(text)) throw new Error(`failed to parse int from ${text}`);
  return Number(text);
}

function parseField(field: string, index: number): Set<number> {
  const [min, max] = RANGES[index]!;
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [rangePart, stepPart] = part.split('/');
    const step = stepPart === undefined ? 1 : Number(stepPart);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`invalid step in ${part}`);
    let lo: number;
    let hi: number;
    if (rangePart === '*' || rangePart === '?') {
      lo = min;
      hi = max;
    } else if (rangePart!.includes('-')) {
      const [a, b] = rangePart!.split('-');
      lo = parseValue(a!, index);
      hi = parseValue(b!, index);
    } else {
      lo = parseValue(rangePart!, index);
      hi = stepPart === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) {
      throw new Error(`end of range (${hi}) above maximum (${max}): ${part}`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  let consumed = '';
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed += m[0];
  }
  if (consumed !== text || total <= 0) throw new Error(`failed to parse duration @every ${text}`);
  return total;
}

export function parseCron(spec: string): CronSchedule {
  const text = spec.trim();
  if (text.startsWith('@every ')) {
    const ms = Math.max(1000, Math.floor(parseDuration(text.slice(7).trim()) / 1000) * 1000);
    return {
      next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + ms),
      fieldCountWarning: false,
    };
  }
  const expanded = DESCRIPTORS[text] ?? text;
  if (expanded.startsWith('@')) throw new Error(`unrecognized descriptor: ${text}`);
  const fields = expanded.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw new Error(`expected 5 to 6 fields, found ${fields.length}: ${text}`);
  }
  const fieldCountWarning = fields.length === 5;
  if (fields.length === 5) fields.push('*');
  const [sec, min, hour, dom, month, dow] = fields.map((f, i) => parseField(f, i));
  const domStar = fields[3] === '*' || fields[3] === '?';
  const dowStar = fields[5] === '*' || fields[5] === '?';
  const dayMatches = (d: Date) => {
    const domOk = dom!.has(d.getUTCDate());
    const dowOk = dow!.has(d.getUTCDay());
    if (domStar || dowStar) return domOk && dowOk;
    return domOk || dowOk;
  };
  return {
    fieldCountWarning,
    next(after: Date): Date {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      const limit = after.getTime() + 5 * 366 * 86_400_000;
      while (t.getTime() < limit) {
        if (!month!.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0);
          continue;
        }
        if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0);
          continue;
        }
        if (!hour!.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0);
          continue;
        }
        if (!min!.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0);
          continue;
        }
        if (!sec!.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1);
          continue;
        }
        return t;
      }
      throw new Error(`schedule ${spec} never fires`);
    },
  };
}
