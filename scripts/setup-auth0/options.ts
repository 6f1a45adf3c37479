import { parseArgs } from 'node:util';

/** What the command was asked to do, validated. Secrets stay in `credentials`, never in flags. */
export interface SetupOptions {
  domain: string;
  /** Base URL of the Management API and /oauth/token: https://DOMAIN unless overridden (tests). */
  managementUrl: URL;
  audience: string;
  apiName: string;
  appName: string;
  /** Update this application instead of looking one up by name. */
  appClientId: string | undefined;
  callbacks: string[];
  remoteUrl: string | undefined;
  /** What URL-only MCP clients get: the remote as OAuth proxy, the tenant itself, or nothing. */
  urlOnly: 'proxy' | 'pass-through' | 'off';
  proxyAppName: string;
  /** Where the proxy's client secret and sealing keys are written (0600, never printed). */
  secretsDir: string | undefined;
  /** The login connection opened to dynamically registered clients (pass-through). */
  connection: string;
  tokenLifetimeSeconds: number;
  refreshReuseIntervalSeconds: number;
  refreshLifetimeSeconds: number;
  refreshIdleLifetimeSeconds: number;
  action: boolean;
  actionName: string;
  dryRun: boolean;
  json: boolean;
  maxRetries: number;
  maxRetryWaitSeconds: number;
  /** How long to wait for an Action to build before deploying it. */
  actionBuildTimeoutSeconds: number;
  credentials: Credentials;
}

export type Credentials =
  | { kind: 'token'; token: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run setup-auth0 -- --domain TENANT.auth0.com --audience https://cnpg-mcp.example.com/api [options]

Creates or updates, idempotently, the Auth0 API, the native application and (unless --no-action)
the post-login Action that puts email and name into access tokens; with --remote-url, also what
URL-only MCP clients (Claude.ai, Claude Code over HTTP, mcp-remote) need (--url-only). Prints the
remote-api environment and the Claude Desktop entry.

Credentials (environment only, never flags):
  AUTH0_MANAGEMENT_TOKEN                         a Management API token, or
  AUTH0_MANAGEMENT_CLIENT_ID + _CLIENT_SECRET     a machine-to-machine app authorized for the Management API

Options:
  --domain DOMAIN                 tenant domain (or AUTH0_DOMAIN), e.g. example.eu.auth0.com
  --audience ID                   API identifier = token audience (required)
  --remote-url URL                the remote API's /mcp URL (PUBLIC_URL + /mcp)
  --url-only MODE                 proxy (default with --remote-url): the remote API is the OAuth server of
                                  URL-only clients and logs in here with its own application;
                                  pass-through: this tenant registers them (dynamic registration,
                                  resource = the MCP URL); off (default without --remote-url)
  --proxy-app-name NAME           the remote API's own application (default "cnpg-mcp remote")
  --secrets-dir DIR               proxy: where its client secret and sealing keys are written (0600),
                                  for a Kubernetes Secret; required when the application is created
  --connection NAME               pass-through: the login connection opened to registered clients
                                  (default Username-Password-Authentication)
  --api-name NAME                 API display name (default "cnpg-mcp API")
  --app-name NAME                 application name (default "cnpg-mcp")
  --app-client-id ID              update this application instead of finding one by name
  --callback URL                  allowed callback (repeatable; default http://127.0.0.1:8888/callback)
  --token-lifetime SECONDS        access token lifetime (default 3600)
  --refresh-reuse-interval SECONDS  rotation reuse interval (leeway) (default 30)
  --refresh-lifetime SECONDS      absolute refresh token lifetime (default 2592000 = 30 days)
  --refresh-idle-lifetime SECONDS idle refresh token lifetime (default 1296000 = 15 days)
  --no-action                     do not create the post-login Action
  --action-name NAME              Action name (default "cnpg-mcp-profile-claims")
  --action-build-timeout SECONDS  how long to wait for Auth0 to build the Action (default 60)
  --dry-run                       print the planned changes; write nothing
  --json                          print the result as JSON
  --max-retries N                 retries after 429 Too Many Requests (default 4)
  --max-retry-wait SECONDS        longest wait for one Retry-After (default 60)
  --management-url URL            Management API base URL (default https://DOMAIN; http only for loopback)
  --help                          this text`;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** http:// is refused except for loopback addresses (the tests' local Management API). */
export function requireSecureUrl(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag}: expected an absolute URL, got "${value}"`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new UsageError(
    `${flag}: expected an https:// URL (plain http is allowed only for loopback), got "${value}"`,
  );
}

function wholeNumber(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag}: expected ${min}–${max}, got ${n}`);
  return n;
}

function credentialsFrom(env: Record<string, string | undefined>): Credentials {
  const token = env.AUTH0_MANAGEMENT_TOKEN?.trim();
  const clientId = env.AUTH0_MANAGEMENT_CLIENT_ID?.trim();
  const clientSecret = env.AUTH0_MANAGEMENT_CLIENT_SECRET?.trim();
  if (token) return { kind: 'token', token };
  if (clientId && clientSecret) return { kind: 'client_credentials', clientId, clientSecret };
  if (clientId || clientSecret) {
    throw new UsageError(
      `${clientId ? 'AUTH0_MANAGEMENT_CLIENT_SECRET' : 'AUTH0_MANAGEMENT_CLIENT_ID'}: expected it to be set as well (client credentials need both)`,
    );
  }
  throw new UsageError(
    'credentials: expected AUTH0_MANAGEMENT_TOKEN, or AUTH0_MANAGEMENT_CLIENT_ID and AUTH0_MANAGEMENT_CLIENT_SECRET, in the environment',
  );
}

export function parseOptions(argv: string[], env: Record<string, string | undefined>): SetupOptions | 'help' {
  let parsed: ReturnType<typeof parseArgsStrict>;
  try {
    parsed = parseArgsStrict(argv);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const domain = (v.domain ?? env.AUTH0_DOMAIN ?? '')
    .trim()
    .replace(/^https:\/\//, '')
    .replace(/\/+$/, '');
  if (!domain) throw new UsageError('--domain: expected the tenant domain, e.g. example.eu.auth0.com');
  if (!DOMAIN.test(domain))
    throw new UsageError(`--domain: expected a host name such as example.eu.auth0.com, got "${domain}"`);
  const audience = v.audience?.trim();
  if (!audience)
    throw new UsageError('--audience: expected the API identifier, e.g. https://cnpg-mcp.example.com/api');
  const callbacks = (v.callback ?? ['http://127.0.0.1:8888/callback']).map((c) => {
    try {
      return new URL(c).toString();
    } catch {
      throw new UsageError(`--callback: expected an absolute URL, got "${c}"`);
    }
  });
  const remoteUrl = v['remote-url']
    ? requireSecureUrl(v['remote-url'], '--remote-url').toString()
    : undefined;
  const urlOnly = v['url-only'] ?? (remoteUrl ? 'proxy' : 'off');
  if (urlOnly !== 'proxy' && urlOnly !== 'pass-through' && urlOnly !== 'off') {
    throw new UsageError(`--url-only: expected proxy, pass-through or off, got "${urlOnly}"`);
  }
  if (urlOnly !== 'off' && !remoteUrl) {
    throw new UsageError(`--url-only ${urlOnly}: needs --remote-url (the remote API's /mcp URL)`);
  }
  if (remoteUrl && urlOnly !== 'off' && new URL(remoteUrl).pathname !== '/mcp') {
    throw new UsageError(
      `--remote-url: expected PUBLIC_URL + /mcp (e.g. https://cnpg.example.com/mcp), got "${remoteUrl}"`,
    );
  }
  const refreshLifetimeSeconds = wholeNumber(
    v['refresh-lifetime'],
    '--refresh-lifetime',
    2_592_000,
    60,
    31_557_600,
  );
  const refreshIdleLifetimeSeconds = wholeNumber(
    v['refresh-idle-lifetime'],
    '--refresh-idle-lifetime',
    1_296_000,
    60,
    31_557_600,
  );
  if (refreshIdleLifetimeSeconds > refreshLifetimeSeconds) {
    throw new UsageError(
      `--refresh-idle-lifetime: expected at most the absolute lifetime (${refreshLifetimeSeconds}), got ${refreshIdleLifetimeSeconds}`,
    );
  }
  return {
    domain,
    managementUrl: requireSecureUrl(v['management-url'] ?? `https://${domain}`, '--management-url'),
    audience,
    apiName: v['api-name'] ?? 'cnpg-mcp API',
    appName: v['app-name'] ?? 'cnpg-mcp',
    appClientId: v['app-client-id'],
    callbacks,
    remoteUrl,
    urlOnly,
    proxyAppName: v['proxy-app-name'] ?? 'cnpg-mcp remote',
    secretsDir: v['secrets-dir'],
    connection: v.connection ?? 'Username-Password-Authentication',
    tokenLifetimeSeconds: wholeNumber(v['token-lifetime'], '--token-lifetime', 3600, 60, 86_400),
    refreshReuseIntervalSeconds: wholeNumber(
      v['refresh-reuse-interval'],
      '--refresh-reuse-interval',
      30,
      0,
      600,
    ),
    refreshLifetimeSeconds,
    refreshIdleLifetimeSeconds,
    action: !v['no-action'],
    actionName: v['action-name'] ?? 'cnpg-mcp-profile-claims',
    dryRun: v['dry-run'] ?? false,
    json: v.json ?? false,
    maxRetries: wholeNumber(v['max-retries'], '--max-retries', 4, 0, 10),
    maxRetryWaitSeconds: wholeNumber(v['max-retry-wait'], '--max-retry-wait', 60, 0, 600),
    actionBuildTimeoutSeconds: wholeNumber(v['action-build-timeout'], '--action-build-timeout', 60, 1, 600),
    credentials: credentialsFrom(env),
  };
}

function parseArgsStrict(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      domain: { type: 'string' },
      audience: { type: 'string' },
      'remote-url': { type: 'string' },
      'url-only': { type: 'string' },
      'proxy-app-name': { type: 'string' },
      'secrets-dir': { type: 'string' },
      connection: { type: 'string' },
      'api-name': { type: 'string' },
      'app-name': { type: 'string' },
      'app-client-id': { type: 'string' },
      callback: { type: 'string', multiple: true },
      'token-lifetime': { type: 'string' },
      'refresh-reuse-interval': { type: 'string' },
      'refresh-lifetime': { type: 'string' },
      'refresh-idle-lifetime': { type: 'string' },
      'no-action': { type: 'boolean' },
      'action-name': { type: 'string' },
      'action-build-timeout': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      'max-retries': { type: 'string' },
      'max-retry-wait': { type: 'string' },
      'management-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
