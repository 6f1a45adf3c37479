import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { defaultConfigDir, defaultRuntimeDir, type Env } from './paths.js';

export const DEFAULT_SCOPES = 'openid profile email offline_access mcp:read mcp:write';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function httpsUrl(what: string) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected an absolute URL (${what})` });
        return;
      }
      const loopback = LOOPBACK_HOSTS.has(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected an https:// URL (${what}); http:// is accepted only for 127.0.0.1 or localhost`,
        });
      }
      if (url.hash || url.username || url.password) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a URL without credentials or #fragment (${what})`,
        });
      }
    });
}

const port = z.number().int().min(0).max(65535);

/** The schema every setting is validated with, after merging flags, environment and config file. */
export const settingsSchema = z.object({
  issuer: httpsUrl('the OpenID provider, e.g. https://tenant.auth0.com/'),
  clientId: z.string().trim().min(1),
  audience: z.string().trim().min(1).optional(),
  resource: httpsUrl('the RFC 8707 resource indicator').optional(),
  scopes: z
    .string()
    .trim()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'expected space-separated scope names')
    .default(DEFAULT_SCOPES),
  remoteUrl: httpsUrl("the remote API's /mcp endpoint"),
  callbackPort: port.default(8888),
  tokenStore: z.enum(['keychain', 'file']).default('keychain'),
  refreshTokenFile: z.string().min(1).optional(),
  configDir: z.string().min(1),
  runtimeDir: z.string().min(1),
  loginTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
  idleExitSeconds: z.number().int().min(0).default(900),
  refreshAheadSeconds: z.number().int().min(60).default(300),
  openBrowser: z.boolean().default(true),
  tcpPort: port.optional(),
  // What the stdio server offers the model (it checks the names against the catalogue's toolsets).
  toolsets: z
    .string()
    .trim()
    .regex(/^[A-Za-z, ]*$/, 'expected toolset names separated by commas')
    .default('default'),
  readOnly: z.boolean().default(false),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof Settings;

type Kind = 'string' | 'number' | 'boolean';

interface SettingInfo {
  kind: Kind;
  expected: string;
  description: string;
  required?: boolean;
}

/** Documentation and parsing hints for every setting (also used by `cnpg-mcp config`). */
export const SETTINGS: Readonly<Record<SettingName, SettingInfo>> = {
  issuer: {
    kind: 'string',
    required: true,
    expected: 'https:// URL of the OpenID provider',
    description: 'OpenID provider (issuer) URL; discovery is read from it.',
  },
  clientId: {
    kind: 'string',
    required: true,
    expected: 'non-empty OAuth client id',
    description: 'Public (native) client id registered at the provider.',
  },
  audience: {
    kind: 'string',
    expected: 'non-empty API identifier',
    description: 'Auth0-style `audience` sent on authorize, token and refresh requests.',
  },
  resource: {
    kind: 'string',
    expected: 'https:// URL',
    description: 'RFC 8707 `resource` sent on authorize, token and refresh requests.',
  },
  scopes: {
    kind: 'string',
    expected: 'space-separated scopes',
    description: `Scopes requested at login (default "${DEFAULT_SCOPES}").`,
  },
  remoteUrl: {
    kind: 'string',
    required: true,
    expected: "https:// URL of the remote API's /mcp endpoint",
    description: 'Where /mcp is forwarded to.',
  },
  callbackPort: {
    kind: 'number',
    expected: 'integer port 0-65535',
    description: 'Loopback port for the login redirect http://127.0.0.1:PORT/callback (default 8888).',
  },
  tokenStore: {
    kind: 'string',
    expected: '"keychain" or "file"',
    description: 'Where the refresh token is kept (default keychain; file only when chosen).',
  },
  refreshTokenFile: {
    kind: 'string',
    expected: 'path to a file holding a refresh token',
    description: 'Headless use: refresh token read from this file; rotated tokens are written back.',
  },
  configDir: {
    kind: 'string',
    expected: 'directory path',
    description: "Configuration directory (default: the user's config dir + /cnpg-mcp).",
  },
  runtimeDir: {
    kind: 'string',
    expected: 'directory path',
    description: 'Directory for the socket and lock files (default $XDG_RUNTIME_DIR/cnpg-mcp).',
  },
  loginTimeoutSeconds: {
    kind: 'number',
    expected: 'integer seconds 1-3600',
    description: 'How long a login waits for the person (default 300).',
  },
  idleExitSeconds: {
    kind: 'number',
    expected: 'integer seconds >= 0 (0 = never)',
    description: 'The sidecar exits after this long without requests (default 900).',
  },
  refreshAheadSeconds: {
    kind: 'number',
    expected: 'integer seconds >= 60',
    description:
      'Refresh the access token this long before it expires (default 300; half its life if shorter).',
  },
  openBrowser: {
    kind: 'boolean',
    expected: 'true or false',
    description: 'Open the browser for login (the URL is printed on stderr either way).',
  },
  tcpPort: {
    kind: 'number',
    expected: 'integer port 0-65535',
    description: 'Optional loopback TCP listener for other local clients (off unless set).',
  },
  toolsets: {
    kind: 'string',
    expected: 'comma-separated toolsets, "default" or "all"',
    description:
      'Tools offered to the model: toolsets such as cluster,observability,backups, "default" or "all" (default: default).',
  },
  readOnly: {
    kind: 'boolean',
    expected: 'true or false',
    description: 'Offer only read-only tools and refuse the others (--read-only).',
  },
};

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** CNPG_MCP_<UPPER_SNAKE> name of a setting. */
export function envName(name: SettingName): string {
  return `CNPG_MCP_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** --kebab-case flag of a setting. */
export function flagName(name: SettingName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export class SettingsError extends Error {
  constructor(
    message: string,
    readonly problems: readonly { setting: string; source: string; message: string }[],
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

export type SettingValue = string | number | boolean | undefined;

export interface LoadSettingsOptions {
  /** Values from command-line flags (highest precedence); strings are coerced like env values. */
  flags?: Partial<Record<SettingName, SettingValue>>;
  env?: Env;
  /** Config file path; default CNPG_MCP_CONFIG or <configDir>/config.json (missing file is fine). */
  configFile?: string;
  /**
   * Values learnt from the remote API's metadata, below the config file and above the defaults:
   * `discovered` just now at `from` (a URL), or `cached` in `from` (a file) by an earlier discovery.
   */
  discovered?: {
    values: Partial<Record<SettingName, SettingValue>>;
    source: 'discovered' | 'cached';
    from: string;
  };
}

export type SettingSource = 'flag' | 'env' | 'config file' | 'discovered' | 'cached' | 'default';

/** Settings with where each value came from, in words (`flag --issuer`, `env CNPG_MCP_ISSUER`, …). */
export interface ResolvedSettings {
  settings: Settings;
  sources: Record<SettingName, { source: SettingSource; detail: string }>;
}

type Source = SettingSource;

function coerce(kind: Kind, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (kind === 'number' && /^-?\d+$/.test(text)) return Number(text);
  if (kind === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
  }
  return value;
}

function describeSource(name: SettingName, source: Source, configFile: string, from = ''): string {
  if (source === 'flag') return `flag ${flagName(name)}`;
  if (source === 'env') return `env ${envName(name)}`;
  if (source === 'config file') return `"${name}" in ${configFile}`;
  if (source === 'discovered') return `discovered at ${from}`;
  if (source === 'cached') return `cached in ${from}`;
  return 'default';
}

function configFilePath(
  options: LoadSettingsOptions,
  env: Env,
): { path: string; explicit: boolean; configDir: string } {
  const flags = options.flags ?? {};
  const configDirRaw = flags.configDir ?? env[envName('configDir')];
  const configDir = typeof configDirRaw === 'string' && configDirRaw ? configDirRaw : defaultConfigDir(env);
  const explicitFile = options.configFile ?? env.CNPG_MCP_CONFIG;
  return {
    path: explicitFile ?? join(configDir, 'config.json'),
    explicit: explicitFile !== undefined,
    configDir,
  };
}

function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return {};
    throw new SettingsError(`Cannot read config file ${path}: ${(error as Error).message}`, [
      { setting: 'config', source: path, message: (error as Error).message },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`Config file ${path} is not valid JSON: ${(error as Error).message}`, [
      { setting: 'config', source: path, message: 'expected a JSON object' },
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsError(`Config file ${path} must hold a JSON object of settings`, [
      { setting: 'config', source: path, message: 'expected a JSON object' },
    ]);
  }
  const unknownKeys = Object.keys(parsed).filter((k) => !(k in SETTINGS));
  if (unknownKeys.length > 0) {
    throw new SettingsError(
      `Config file ${path} has unknown setting(s) ${unknownKeys.join(', ')}; known: ${SETTING_NAMES.join(', ')}`,
      unknownKeys.map((k) => ({ setting: k, source: path, message: 'unknown setting' })),
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * One setting as given by flag, environment or config file, before validation; undefined when it
 * is not given or the config file cannot be read (loadSettings reports that).
 */
export function givenSetting(name: SettingName, options: LoadSettingsOptions = {}): SettingValue {
  const env = options.env ?? process.env;
  const { path, explicit } = configFilePath(options, env);
  let fileValues: Record<string, unknown> = {};
  try {
    fileValues = readConfigFile(path, explicit);
  } catch {
    // reported when the settings are loaded
  }
  const candidates = [options.flags?.[name], env[envName(name)], fileValues[name]];
  const found = candidates.find((value) => value !== undefined && value !== '');
  return typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean'
    ? found
    : undefined;
}

/**
 * Resolves settings: flags, then CNPG_MCP_* environment, then the JSON config file, then what was
 * discovered from the remote API, then defaults. Every problem is reported with the setting's
 * name, where the value came from and what was expected.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  return resolveSettings(options).settings;
}

/** loadSettings, also saying where each value came from (for `cnpg-mcp doctor`). */
export function resolveSettings(options: LoadSettingsOptions = {}): ResolvedSettings {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const { path: configFile, explicit, configDir } = configFilePath(options, env);
  const fileValues = readConfigFile(configFile, explicit);
  const discovered = options.discovered;

  const merged: Record<string, unknown> = {};
  const sources: Partial<Record<SettingName, Source>> = {};
  for (const name of SETTING_NAMES) {
    const info = SETTINGS[name];
    const candidates: Array<[Source, unknown]> = [
      ['flag', flags[name]],
      ['env', env[envName(name)]],
      ['config file', fileValues[name]],
      [discovered?.source ?? 'discovered', discovered?.values[name]],
    ];
    const found = candidates.find(([, value]) => value !== undefined && value !== '');
    if (!found) continue;
    const [source, raw] = found;
    merged[name] = name === 'scopes' && Array.isArray(raw) ? raw.join(' ') : coerce(info.kind, raw);
    sources[name] = source;
  }
  merged.configDir ??= configDir;
  merged.runtimeDir ??= defaultRuntimeDir(env);
  for (const key of ['configDir', 'runtimeDir', 'refreshTokenFile'] as const) {
    const value = merged[key];
    if (typeof value === 'string' && !isAbsolute(value)) {
      merged[key] = join(process.cwd(), value);
    }
  }

  const result = settingsSchema.safeParse(merged);
  if (result.success) {
    const described = Object.fromEntries(
      SETTING_NAMES.map((name) => {
        const source = sources[name] ?? 'default';
        return [name, { source, detail: describeSource(name, source, configFile, discovered?.from) }];
      }),
    ) as ResolvedSettings['sources'];
    return { settings: result.data, sources: described };
  }

  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'settings') as SettingName;
    const info = SETTINGS[name];
    const source = sources[name];
    if (info && merged[name] === undefined) {
      return {
        setting: name,
        source: 'missing',
        message:
          `setting ${name} is required: expected ${info.expected} ` +
          `(flag ${flagName(name)}, env ${envName(name)}, or "${name}" in ${configFile})`,
      };
    }
    const where = source ? describeSource(name, source, configFile, discovered?.from) : 'settings';
    const expected = issue.code === 'custom' ? issue.message : `expected ${info?.expected ?? issue.message}`;
    return {
      setting: name,
      source: where,
      message: `setting ${name} (from ${where}) is invalid: ${expected}; got ${JSON.stringify(merged[name])}`,
    };
  });
  throw new SettingsError(
    `Invalid cnpg-mcp settings:\n  ${problems.map((p) => p.message).join('\n  ')}`,
    problems,
  );
}
