import {
  defaultCacheDir,
  type Env,
  flagName,
  givenSetting,
  SETTING_NAMES,
  SETTINGS,
  SettingsError,
} from '@cnpg-mcp/auth-sidecar/config';
import {
  explicitSettingsEnv,
  type ParsedArgs,
  parseCommandLine,
  resolveServeFlags,
  resolveToolSelection,
  settingsInput,
  UsageError,
} from './cli-args.js';
import type { Io } from './io.js';
import { stderrLogger } from './log.js';
import { commandLine, selfInvocation } from './self.js';
import { serveStdio } from './serve/run.js';
import { VERSION } from './version.js';

const HELP = `cnpg-mcp ${VERSION}: CloudNativePG tools for MCP clients (Claude Desktop, Claude Code, Cursor, …)

Usage:
  cnpg-mcp --remote-url URL         serve MCP over stdio (what MCP clients run)
  cnpg-mcp login [--device|--browser] [--paste URL]
                                    log in (browser; device code with --device or without a display;
                                    --paste completes a login from the final redirect URL)
  cnpg-mcp logout                   revoke the login at the provider and forget it here
  cnpg-mcp status [--json]          who is logged in, token expiry, token store, sidecar
  cnpg-mcp token                    print a fresh access token (for curl; keep it secret)
  cnpg-mcp doctor [--json]          check config, Node, keychain, sidecar, provider, remote, clock
  cnpg-mcp config claude-desktop [--write] [--name NAME] [--npx]
                                    print the Claude Desktop entry, or merge it into its config file
  cnpg-mcp --version | --help

Serve options:
  --login-mode auto|browser|device  how a tool call that needs a login starts one (env CNPG_MCP_LOGIN_MODE)
  --login-wait-seconds N            how long that call waits for the login (default 50; env CNPG_MCP_LOGIN_WAIT_SECONDS)
  --call-timeout-seconds N          how long a call waits for the remote's answer (default 30, more while
                                    progress comes; a tool called with wait: true also its wait_timeout_seconds;
                                    env CNPG_MCP_CALL_TIMEOUT_SECONDS)
  --log-level error|warn|info|debug what goes to stderr (default warn; env CNPG_MCP_LOG_LEVEL)

Settings (flag, then env CNPG_MCP_<NAME>, then "name" in the JSON config file; --config FILE or
CNPG_MCP_CONFIG picks the file, default <config dir>/cnpg-mcp/config.json). Only the remote URL is
needed when the remote API publishes the rest (RFC 9728 metadata); what it publishes is cached:
${SETTING_NAMES.map((name) => `  ${flagName(name).padEnd(26)} ${SETTINGS[name].description}`).join('\n')}

Headless: CNPG_MCP_REFRESH_TOKEN (or --refresh-token-file) logs in with no browser and no keychain.
`;

async function serve(args: ParsedArgs, env: Env): Promise<number> {
  const flags = resolveServeFlags(args, env);
  const input = settingsInput(args, env);
  const remoteUrl = givenSetting('remoteUrl', input);
  const selection = resolveToolSelection(input);
  await serveStdio({
    remoteUrl: typeof remoteUrl === 'string' ? remoteUrl : undefined,
    settings: async () => {
      const { resolveSettingsFor } = await import('./settings/resolve.js');
      return (await resolveSettingsFor(input, { network: true })).settings;
    },
    cacheDir: defaultCacheDir(env),
    selection,
    env,
    log: stderrLogger(flags.logLevel),
    loginMode: flags.loginMode,
    loginWaitMs: flags.loginWaitSeconds * 1000,
    callTimeoutMs: flags.callTimeoutSeconds * 1000,
    loginCommand: commandLine(selfInvocation(undefined, args.npx), 'login', explicitSettingsEnv(args, env)),
  });
  return 0;
}

/** Runs the CLI; returns the exit code. Errors are explained on stderr, never with a stack for known ones. */
export async function main(argv: readonly string[], env: Env = process.env, io?: Io): Promise<number> {
  const out: Io = io ?? {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  };
  try {
    const args = parseCommandLine(argv);
    if (args.version) {
      out.out(`${VERSION}\n`);
      return 0;
    }
    if (args.help || args.command[0] === 'help') {
      out.out(HELP);
      return 0;
    }
    if (args.command.length === 0) return await serve(args, env);
    // Commands load what they need when they run; serving MCP never loads them.
    const { runCommand } = await import('./commands/run.js');
    return await runCommand(args, env, out);
  } catch (error) {
    if (error instanceof UsageError) {
      out.err(`cnpg-mcp: ${error.message}\nRun cnpg-mcp --help for usage.\n`);
      return 2;
    }
    if (error instanceof SettingsError) {
      out.err(`cnpg-mcp: ${error.message}\nRun cnpg-mcp doctor to check everything.\n`);
      return 1;
    }
    out.err(`cnpg-mcp: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}
