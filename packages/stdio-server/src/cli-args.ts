import { parseArgs } from 'node:util';
import {
  type Env,
  envName,
  flagName,
  givenSetting,
  type LoadSettingsOptions,
  SETTING_NAMES,
  type SettingName,
  type SettingValue,
} from '@cnpg-mcp/auth-sidecar/config';
import { parseToolsets, type ToolSelection, ToolsetError } from '@cnpg-mcp/catalog/selection';
import * as z from 'zod';
import { LOG_LEVELS, type LogLevel } from './log.js';

/** Flags that are not settings. */
const COMMAND_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  config: { type: 'string' },
  device: { type: 'boolean' },
  browser: { type: 'boolean' },
  paste: { type: 'string' },
  json: { type: 'boolean' },
  write: { type: 'boolean' },
  name: { type: 'string' },
  npx: { type: 'boolean' },
  'login-mode': { type: 'string' },
  'login-wait-seconds': { type: 'string' },
  'call-timeout-seconds': { type: 'string' },
  'log-level': { type: 'string' },
  // The readOnly setting, as a flag that takes no value.
  'read-only': { type: 'boolean' },
} as const;

/** Settings whose flag is a switch (COMMAND_FLAGS), not a flag with a value. */
const SWITCH_SETTINGS: readonly SettingName[] = ['readOnly'];

export interface ParsedArgs {
  command: string[];
  settingFlags: Partial<Record<SettingName, SettingValue>>;
  configFile?: string;
  help: boolean;
  version: boolean;
  device: boolean;
  browser: boolean;
  paste?: string;
  json: boolean;
  write: boolean;
  name?: string;
  npx: boolean;
  loginMode?: string;
  loginWaitSeconds?: string;
  callTimeoutSeconds?: string;
  logLevel?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses the command line: a command path (`login`, `config claude-desktop`, …) and flags. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const settingOptions = Object.fromEntries(
    SETTING_NAMES.filter((name) => !SWITCH_SETTINGS.includes(name)).map((name) => [
      flagName(name).slice(2),
      { type: 'string' as const },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...settingOptions, ...COMMAND_FLAGS },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const settingFlags: Partial<Record<SettingName, SettingValue>> = {};
  for (const name of SETTING_NAMES) {
    const value = values[flagName(name).slice(2)];
    if (typeof value === 'string') settingFlags[name] = value;
  }
  if (values['read-only'] === true) settingFlags.readOnly = true;
  const text = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  return {
    command: parsed.positionals,
    settingFlags,
    configFile: text('config'),
    help: values.help === true,
    version: values.version === true,
    device: values.device === true,
    browser: values.browser === true,
    paste: text('paste'),
    json: values.json === true,
    write: values.write === true,
    name: text('name'),
    npx: values.npx === true,
    loginMode: text('login-mode'),
    loginWaitSeconds: text('login-wait-seconds'),
    callTimeoutSeconds: text('call-timeout-seconds'),
    logLevel: text('log-level'),
  };
}

/** What the settings are resolved from: flags, environment, config file. */
export function settingsInput(args: ParsedArgs, env: Env): LoadSettingsOptions {
  return { flags: args.settingFlags, env, configFile: args.configFile };
}

/**
 * Settings given on the command line or through CNPG_MCP_* variables (not the config file), as
 * environment variables: what another process (Claude Desktop, a terminal) needs to match this one.
 */
export function explicitSettingsEnv(args: ParsedArgs, env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = args.settingFlags[name] ?? env[envName(name)];
    if (value !== undefined && value !== '') out[envName(name)] = String(value);
  }
  if (args.configFile ?? env.CNPG_MCP_CONFIG)
    out.CNPG_MCP_CONFIG = String(args.configFile ?? env.CNPG_MCP_CONFIG);
  return out;
}

const LOGIN_WAIT_EXPECTED =
  'login wait: expected whole seconds 0-600 (flag --login-wait-seconds, env CNPG_MCP_LOGIN_WAIT_SECONDS)';

const CALL_TIMEOUT_EXPECTED =
  'call timeout: expected whole seconds 1-3600 (flag --call-timeout-seconds, env CNPG_MCP_CALL_TIMEOUT_SECONDS)';

const serveOptionsSchema = z.object({
  loginMode: z.enum(['auto', 'browser', 'device'], {
    message:
      'login mode: expected "auto", "browser" or "device" (flag --login-mode, env CNPG_MCP_LOGIN_MODE)',
  }),
  loginWaitSeconds: z.coerce
    .number({ message: LOGIN_WAIT_EXPECTED })
    .int(LOGIN_WAIT_EXPECTED)
    .min(0, LOGIN_WAIT_EXPECTED)
    .max(600, LOGIN_WAIT_EXPECTED),
  callTimeoutSeconds: z.coerce
    .number({ message: CALL_TIMEOUT_EXPECTED })
    .int(CALL_TIMEOUT_EXPECTED)
    .min(1, CALL_TIMEOUT_EXPECTED)
    .max(3600, CALL_TIMEOUT_EXPECTED),
  logLevel: z.enum(LOG_LEVELS, {
    message: `log level: expected ${LOG_LEVELS.map((l) => `"${l}"`).join(', ')} (flag --log-level, env CNPG_MCP_LOG_LEVEL)`,
  }),
});

export interface ServeFlags {
  /** How a tool call that needs a login starts one ('auto': browser with a display, else device code). */
  loginMode: 'auto' | 'browser' | 'device';
  /** How long such a call waits for the person (default 50 s, under common 60 s host timeouts). */
  loginWaitSeconds: number;
  /**
   * How long a call waits for the remote's answer (default 30 s, so the server, not the client's
   * 60 s timeout, says the remote did not answer); progress starts it again, and a tool called
   * with wait: true also gets its wait_timeout_seconds.
   */
  callTimeoutSeconds: number;
  /** What reaches stderr (default warn: hosts show every stderr line as an error). */
  logLevel: LogLevel;
}

const where = (name: SettingName) =>
  `flag ${flagName(name)}, env ${envName(name)}, or "${name}" in the config file`;

/**
 * The tools this server offers (the toolsets and readOnly settings: flag, environment, config
 * file), read at start-up without the other settings, which may not be known yet.
 */
export function resolveToolSelection(input: LoadSettingsOptions): ToolSelection {
  const toolsets = givenSetting('toolsets', input);
  const readOnly = givenSetting('readOnly', input);
  let chosen: ToolSelection['toolsets'];
  try {
    chosen = parseToolsets(toolsets === undefined ? 'default' : String(toolsets));
  } catch (error) {
    if (error instanceof ToolsetError)
      throw new UsageError(`toolsets (${where('toolsets')}): ${error.message}`);
    throw error;
  }
  const text = String(readOnly ?? 'false')
    .trim()
    .toLowerCase();
  if (!/^(true|1|yes|on|false|0|no|off)$/.test(text)) {
    throw new UsageError(
      `readOnly (${where('readOnly')}): expected true or false, got "${String(readOnly)}"`,
    );
  }
  return { toolsets: chosen, readOnly: /^(true|1|yes|on)$/.test(text) };
}

export function resolveServeFlags(args: ParsedArgs, env: Env): ServeFlags {
  const result = serveOptionsSchema.safeParse({
    loginMode: args.loginMode ?? env.CNPG_MCP_LOGIN_MODE ?? 'auto',
    loginWaitSeconds: args.loginWaitSeconds ?? env.CNPG_MCP_LOGIN_WAIT_SECONDS ?? '50',
    callTimeoutSeconds: args.callTimeoutSeconds ?? env.CNPG_MCP_CALL_TIMEOUT_SECONDS ?? '30',
    logLevel: args.logLevel ?? env.CNPG_MCP_LOG_LEVEL ?? 'warn',
  });
  if (!result.success) {
    throw new UsageError(result.error.issues.map((issue) => issue.message).join('\n'));
  }
  return result.data;
}
