const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-cnpg-mcp-secret',
]);

/** Copy of `headers` with credentials replaced by "[redacted]". */
export function redactHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}

const PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){1,3}/g, '[redacted-jwt]'],
  [
    /("?(?:access_token|refresh_token|id_token|code|code_verifier|device_code|client_secret)"?\s*[:=]\s*"?)[^"&\s,}]+/gi,
    '$1[redacted]',
  ],
];

/** Removes anything that looks like a token or credential from a log line. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export type Logger = (message: string) => void;

/** Logger that writes redacted, timestamped lines to stderr (or the given writer). */
export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return (message) => write(`${new Date().toISOString()} cnpg-mcp-auth: ${redactText(message)}\n`);
}
