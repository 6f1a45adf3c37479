import {
  type Env,
  flagName,
  SETTING_NAMES,
  SETTINGS,
  type Settings,
  SettingsError,
  SidecarApiError,
} from '@cnpg-mcp/auth-sidecar';
import {
  explicitSettingsEnv,
  type ParsedArgs,
  parseCommandLine,
  resolveServeFlags,
  resolveSettings,
  UsageError,
} from './cli-args.js';
import { type Io, loginCommand, logoutCommand, statusCommand, tokenCommand } from './commands/account.js';
import { claudeDesktopCommand } from './commands/claude-desktop.js';
import { doctorCommand } from './commands/doctor.js';
import { stderrLogger } from './log.js';
import { commandLine, selfInvocation } from './self.js';
import { serveStdio } from './serve/run.js';
import { VERSION } from './version.js';

const HELP = `cnpg-mcp ${VERSION}: CloudNativePG tools for MCP clients (Claude Desktop, Claude Code, Cursor, …)

Usage:
  cnpg-mcp                          serve MCP over stdio (what MCP clients run)
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

Settings (flag, then env CNPG_MCP_<NAME>, then "name" in the JSON config file; --config FILE or
CNPG_MCP_CONFIG picks the file, default <config dir>/cnpg-mcp/config.json):
${SETTING_NAMES.map((name) => `  ${flagName(name).padEnd(26)} ${SETTINGS[name].description}`).join('\n')}

Headless: CNPG_MCP_REFRESH_TOKEN (or --refresh-token-file) logs in with no browser and no keychain.
`;

function settingsOrError(args: ParsedArgs, env: Env): Settings | { error: string } {
  try {
    return resolveSettings(args, env);
  } catch (error) {
    if (error instanceof SettingsError) return { error: error.message };
    throw error;
  }
}

async function dispatch(args: ParsedArgs, env: Env, io: Io): Promise<number> {
  const [command, sub, ...rest] = args.command;
  if (rest.length > 0) throw new UsageError(`unexpected argument(s): ${rest.join(' ')}`);
  const self = selfInvocation(undefined, args.npx);
  const settingsEnv = explicitSettingsEnv(args, env);
  const noSub = () => {
    if (sub !== undefined) throw new UsageError(`unexpected argument: ${sub}`);
  };
  switch (command) {
    case undefined: {
      const flags = resolveServeFlags(args, env);
      await serveStdio({
        settings: settingsOrError(args, env),
        env,
        log: stderrLogger(),
        loginMode: flags.loginMode,
        loginWaitMs: flags.loginWaitSeconds * 1000,
        loginCommand: commandLine(self, 'login', settingsEnv),
      });
      return 0;
    }
    case 'login': {
      noSub();
      if (args.device && args.browser) throw new UsageError('choose one of --device and --browser');
      const mode = args.device ? 'device' : args.browser ? 'browser' : 'auto';
      return loginCommand(resolveSettings(args, env), env, io, { mode, paste: args.paste });
    }
    case 'logout':
      noSub();
      return logoutCommand(resolveSettings(args, env), env, io);
    case 'status':
      noSub();
      return statusCommand(resolveSettings(args, env), env, io, args.json);
    case 'token':
      noSub();
      return tokenCommand(resolveSettings(args, env), env, io);
    case 'doctor':
      noSub();
      return doctorCommand(settingsOrError(args, env), env, io, args.json);
    case 'config':
      if (sub !== 'claude-desktop')
        throw new UsageError('usage: cnpg-mcp config claude-desktop [--write] [--name NAME]');
      return claudeDesktopCommand(io, env, {
        self,
        settingsEnv,
        write: args.write,
        name: args.name ?? 'cnpg',
      });
    default:
      throw new UsageError(`unknown command "${command}"; run cnpg-mcp --help`);
  }
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
    return await dispatch(args, env, out);
  } catch (error) {
    if (error instanceof UsageError) {
      out.err(`cnpg-mcp: ${error.message}\nRun cnpg-mcp --help for usage.\n`);
      return 2;
    }
    if (error instanceof SettingsError) {
      out.err(`cnpg-mcp: ${error.message}\nRun cnpg-mcp doctor to check everything.\n`);
      return 1;
    }
    if (error instanceof SidecarApiError) {
      const hint = error.code === 'login_required' ? '' : ' (run cnpg-mcp doctor)';
      out.err(`cnpg-mcp: ${error.message}${hint}\n`);
      return 1;
    }
    out.err(`cnpg-mcp: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}
