import { redactText } from '@cnpg-mcp/auth-sidecar/config';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/**
 * Logs go to stderr only (stdout carries the MCP protocol), redacted, one timestamped line each,
 * and only from `level` up: MCP hosts show every stderr line as an error, so the default is `warn`.
 */
export function stderrLogger(
  level: LogLevel = 'warn',
  write: (text: string) => void = (text) => process.stderr.write(text),
): Logger {
  const shown = LOG_LEVELS.indexOf(level);
  const at =
    (name: LogLevel) =>
    (message: string): void => {
      if (LOG_LEVELS.indexOf(name) <= shown)
        write(`${new Date().toISOString()} cnpg-mcp ${name}: ${redactText(message)}\n`);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
