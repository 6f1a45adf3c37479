/** Parses CloudNativePG's JSON log lines (instance manager, PostgreSQL records, WAL archiving) into flat entries. */

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';

export interface LogEntry {
  pod: string;
  time: string;
  level: LogLevel;
  logger: string;
  message: string;
  severity: string;
  user: string;
  database: string;
  sqlState: string;
}

export const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3, fatal: 4 };

/** PostgreSQL error_severity → level. */
function severityLevel(severity: string): LogLevel {
  const upper = severity.toUpperCase();
  if (upper.startsWith('DEBUG')) return 'debug';
  if (upper === 'WARNING') return 'warning';
  if (upper === 'ERROR') return 'error';
  if (upper === 'FATAL' || upper === 'PANIC') return 'fatal';
  return 'info';
}

/** The instance manager's logr/zap level → level. */
function loggerLevel(level: string): LogLevel {
  const lower = level.toLowerCase();
  if (lower === 'debug' || lower === 'trace') return 'debug';
  if (lower === 'warn' || lower === 'warning') return 'warning';
  if (lower === 'error') return 'error';
  if (lower === 'fatal' || lower === 'panic' || lower === 'dpanic') return 'fatal';
  return 'info';
}

const text = (value: unknown) =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);

function timeOf(ts: unknown): string {
  if (typeof ts === 'number') return new Date(ts * 1000).toISOString();
  return text(ts);
}

export function parseLogLine(pod: string, line: string): LogEntry {
  let parsed: Record<string, unknown> | undefined;
  if (line.startsWith('{')) {
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed) {
    return {
      pod,
      time: '',
      level: 'info',
      logger: '',
      message: line,
      severity: '',
      user: '',
      database: '',
      sqlState: '',
    };
  }
  const record = (parsed.record && typeof parsed.record === 'object' ? parsed.record : undefined) as
    | Record<string, unknown>
    | undefined;
  const logger = text(parsed.logger);
  if (record && logger === 'postgres') {
    const severity = text(record.error_severity);
    const detail = [text(record.detail), text(record.hint)].filter(Boolean).join(' ');
    return {
      pod,
      time: timeOf(parsed.ts) || text(record.log_time),
      level: severityLevel(severity),
      logger,
      message: `${text(record.message)}${detail ? ` (${detail})` : ''}`,
      severity,
      user: text(record.user_name),
      database: text(record.database_name),
      sqlState: text(record.sql_state_code),
    };
  }
  const message = text(parsed.msg) || (record ? JSON.stringify(record) : '');
  const error = text(parsed.error);
  return {
    pod,
    time: timeOf(parsed.ts),
    level: loggerLevel(text(parsed.level)),
    logger,
    message: error ? `${message}: ${error}` : message,
    severity: '',
    user: '',
    database: '',
    sqlState: '',
  };
}
