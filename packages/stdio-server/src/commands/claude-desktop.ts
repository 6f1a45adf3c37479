import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Env, LoadSettingsOptions } from '@cnpg-mcp/auth-sidecar';
import type { Io } from '../io.js';
import { type SelfInvocation, settingsFlags } from '../self.js';
import { resolveSettingsFor } from '../settings/resolve.js';

export interface ClaudeDesktopEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** Where Claude Desktop reads its MCP servers from on this OS. */
export function claudeDesktopConfigPath(env: Env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || homedir();
  if (platform === 'darwin')
    return join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  if (platform === 'win32')
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Claude', 'claude_desktop_config.json');
}

/**
 * The mcpServers entry: absolute command and script, and the settings given here as flags
 * (usually only `--remote-url`: the remote publishes the rest).
 */
export function claudeDesktopEntry(
  self: SelfInvocation,
  settingsEnv: Record<string, string>,
): ClaudeDesktopEntry {
  return { command: self.command, args: [...self.args, ...settingsFlags(settingsEnv)] };
}

/**
 * Merges the entry into Claude Desktop's config under `mcpServers[name]`, keeping everything else;
 * the previous file is kept as `<file>.bak` and the new one written atomically.
 */
export async function writeClaudeDesktopEntry(
  path: string,
  name: string,
  entry: ClaudeDesktopEntry,
): Promise<{ replaced: boolean }> {
  let config: Record<string, unknown> = {};
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      throw new Error(
        `${path} is not valid JSON (${(error as Error).message}); fix or move it, then run this again`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${path} must hold a JSON object; fix or move it, then run this again`);
    }
    config = parsed as Record<string, unknown>;
  }
  const servers = config.mcpServers ?? {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new Error(`"mcpServers" in ${path} must be an object; fix it, then run this again`);
  }
  const replaced = name in servers;
  config.mcpServers = { ...(servers as Record<string, unknown>), [name]: entry };
  await mkdir(dirname(path), { recursive: true });
  if (existing !== undefined) await copyFile(path, `${path}.bak`);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
  return { replaced };
}

export async function claudeDesktopCommand(
  io: Io,
  env: Env,
  options: {
    self: SelfInvocation;
    settingsEnv: Record<string, string>;
    /** The settings as given, checked before an entry that could not work is written. */
    input: LoadSettingsOptions;
    write: boolean;
    name: string;
  },
): Promise<number> {
  try {
    await resolveSettingsFor(options.input, { network: true });
  } catch (error) {
    io.err(
      `cnpg-mcp: the entry would not work yet: ${(error as Error).message}\n` +
        'Usually only the remote URL is needed: cnpg-mcp config claude-desktop --remote-url https://…/mcp\n',
    );
    return 1;
  }
  const entry = claudeDesktopEntry(options.self, options.settingsEnv);
  const path = claudeDesktopConfigPath(env);
  if (!options.write) {
    io.out(`${JSON.stringify({ mcpServers: { [options.name]: entry } }, null, 2)}\n`);
    io.err(
      `Paste the entry into ${path} (or run this again with --write to merge it there), then restart Claude Desktop.\n`,
    );
    return 0;
  }
  const { replaced } = await writeClaudeDesktopEntry(path, options.name, entry);
  io.out(
    `${replaced ? 'Updated' : 'Added'} "${options.name}" in ${path}. Restart Claude Desktop to load it.\n`,
  );
  return 0;
}
