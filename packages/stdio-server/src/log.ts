import { redactText } from '@cnpg-mcp/auth-sidecar';

export type Logger = (message: string) => void;

/** Logs go to stderr only (stdout carries the MCP protocol), redacted, one timestamped line each. */
export function stderrLogger(write: (text: string) => void = (text) => process.stderr.write(text)): Logger {
  return (message) => write(`${new Date().toISOString()} cnpg-mcp: ${redactText(message)}\n`);
}
