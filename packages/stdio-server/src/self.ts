import { realpathSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { VERSION } from './version.js';

export interface SelfInvocation {
  /** How a person types it in a terminal. */
  display: string;
  /** Absolute command and arguments for hosts that do not have the person's PATH (Claude Desktop). */
  command: string;
  args: string[];
}

/** Quotes a word for POSIX shells when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * How this program was started: from npx's cache (then `npx -y cnpg-mcp@VERSION`), from a bin
 * link named cnpg-mcp, or as a script path. `script` defaults to process.argv[1].
 */
export function selfInvocation(script = process.argv[1] ?? '', forceNpx = false): SelfInvocation {
  const npxBin = join(dirname(process.execPath), process.platform === 'win32' ? 'npx.cmd' : 'npx');
  if (forceNpx || script.includes(`${sep}_npx${sep}`)) {
    return { display: 'npx -y cnpg-mcp', command: npxBin, args: ['-y', `cnpg-mcp@${VERSION}`] };
  }
  let real = script;
  try {
    real = realpathSync(script);
  } catch {
    // keep the path as given
  }
  const display = basename(script) === 'cnpg-mcp' ? 'cnpg-mcp' : `node ${shellQuote(real)}`;
  return { display, command: process.execPath, args: [real] };
}

/** The settings given as CNPG_MCP_* variables, as the flags that give the same: `--remote-url URL …`. */
export function settingsFlags(settingsEnv: Record<string, string>): string[] {
  return Object.entries(settingsEnv).flatMap(([name, value]) => [
    name === 'CNPG_MCP_CONFIG'
      ? '--config'
      : `--${name.slice('CNPG_MCP_'.length).toLowerCase().replace(/_/g, '-')}`,
    value,
  ]);
}

/** `<self> <command> --flag value…` with the settings given as CNPG_MCP_* variables turned into flags. */
export function commandLine(
  self: SelfInvocation,
  command: string,
  settingsEnv: Record<string, string>,
): string {
  return [self.display, command, ...settingsFlags(settingsEnv).map(shellQuote)].join(' ');
}
