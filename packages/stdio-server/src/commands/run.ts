import { type Env, SidecarError } from '@cnpg-mcp/auth-sidecar';
import { explicitSettingsEnv, type ParsedArgs, settingsInput, UsageError } from '../cli-args.js';
import type { Io } from '../io.js';
import { selfInvocation } from '../self.js';
import { resolveSettingsFor, type SettingsFor } from '../settings/resolve.js';
import { loginCommand, logoutCommand, statusCommand, tokenCommand } from './account.js';
import { claudeDesktopCommand } from './claude-desktop.js';
import { doctorCommand } from './doctor.js';

async function dispatch(args: ParsedArgs, env: Env, io: Io): Promise<number> {
  const [command, sub, ...rest] = args.command;
  if (rest.length > 0) throw new UsageError(`unexpected argument(s): ${rest.join(' ')}`);
  const noSub = () => {
    if (sub !== undefined) throw new UsageError(`unexpected argument: ${sub}`);
  };
  const input = settingsInput(args, env);
  const settings = async (refresh = false) =>
    (await resolveSettingsFor(input, { network: true, refresh })).settings;
  switch (command) {
    case 'login': {
      noSub();
      if (args.device && args.browser) throw new UsageError('choose one of --device and --browser');
      const mode = args.device ? 'device' : args.browser ? 'browser' : 'auto';
      // A login is where a changed remote shows first: ask it again rather than trusting the cache.
      return loginCommand(await settings(true), env, io, { mode, paste: args.paste });
    }
    case 'logout':
      noSub();
      return logoutCommand(await settings(), env, io);
    case 'status':
      noSub();
      return statusCommand(await settings(), env, io, args.json);
    case 'token':
      noSub();
      return tokenCommand(await settings(), env, io);
    case 'doctor': {
      noSub();
      let resolved: SettingsFor | { error: string };
      try {
        resolved = await resolveSettingsFor(input, { network: true, refresh: true });
      } catch (error) {
        resolved = { error: (error as Error).message };
      }
      return doctorCommand(resolved, env, io, args.json);
    }
    case 'config':
      if (sub !== 'claude-desktop')
        throw new UsageError('usage: cnpg-mcp config claude-desktop [--write] [--name NAME] [--npx]');
      return claudeDesktopCommand(io, env, {
        self: selfInvocation(undefined, args.npx),
        settingsEnv: explicitSettingsEnv(args, env),
        input,
        write: args.write,
        name: args.name ?? 'cnpg',
      });
    default:
      throw new UsageError(`unknown command "${command}"; run cnpg-mcp --help`);
  }
}

/** Runs a command (anything but serving MCP); the sidecar's errors are explained, not thrown. */
export async function runCommand(args: ParsedArgs, env: Env, io: Io): Promise<number> {
  try {
    return await dispatch(args, env, io);
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    const hint = error.code === 'ERR_LOGIN_REQUIRED' ? ' (run cnpg-mcp login)' : ' (run cnpg-mcp doctor)';
    io.err(`cnpg-mcp: ${error.message}${hint}\n`);
    return 1;
  }
}
