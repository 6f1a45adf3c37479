import { createWriteStream, type WriteStream } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEY = /authorization|token|password|secret|cookie|jwt|assertion|credential/i;
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/gi;

/** Removes secrets from anything about to be logged: secret-named keys, bearer values, JWT-looking strings. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string')
    return value.replace(BEARER, 'Bearer [redacted]').replace(JWT_LIKE, '[redacted-jwt]');
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1);
    }
    return out;
  }
  return value;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LineSink {
  write(line: string): void;
  close(): Promise<void>;
}

/** 'stdout', 'stderr', or a file path (appended). */
export function openSink(target: string): LineSink {
  if (target === 'stdout' || target === 'stderr') {
    const stream = target === 'stdout' ? process.stdout : process.stderr;
    return { write: (line) => void stream.write(line), close: async () => {} };
  }
  const file: WriteStream = createWriteStream(target, { flags: 'a', mode: 0o640 });
  return {
    write: (line) => void file.write(line),
    close: () => new Promise((resolve) => file.end(() => resolve())),
  };
}

/** JSON-lines logger; every field goes through `redact`. */
export function createLogger(level: LogLevel, sink: LineSink = openSink('stderr')): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (levelRank[lvl] < levelRank[level]) return;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg: redact(msg),
      ...(redact(fields ?? {}) as object),
    };
    sink.write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}
