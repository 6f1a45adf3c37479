import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Env } from '@cnpg-mcp/auth-sidecar';
import { claudeDesktopConfigPath } from './claude-desktop.js';
import type { CheckResult } from './doctor.js';

interface Entry {
  command?: unknown;
  args?: unknown;
}

function mentionsCnpgMcp(entry: Entry): boolean {
  const words = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])];
  return words.some((word) => typeof word === 'string' && /cnpg-mcp/.test(word));
}

/**
 * Looks at Claude Desktop's config for cnpg-mcp entries whose command cannot start from a host
 * without the person's PATH (a bare `npx`), or whose absolute command or script no longer exists.
 */
export function checkClaudeDesktop(env: Env, platform: NodeJS.Platform = process.platform): CheckResult {
  const path = claudeDesktopConfigPath(env, platform);
  if (!existsSync(path))
    return { name: 'claude', state: 'skip', detail: `no Claude Desktop config at ${path}` };
  let servers: Record<string, Entry>;
  try {
    const config = JSON.parse(readFileSync(path, 'utf8')) as { mcpServers?: Record<string, Entry> };
    servers = config.mcpServers ?? {};
  } catch (error) {
    return {
      name: 'claude',
      state: 'fail',
      detail: `${path} is not valid JSON: ${(error as Error).message}`,
      fix: 'fix the file (Claude Desktop ignores all servers while it is broken)',
    };
  }
  const ours = Object.entries(servers).filter(([, entry]) => mentionsCnpgMcp(entry));
  if (ours.length === 0) {
    return {
      name: 'claude',
      state: 'skip',
      detail: `no cnpg-mcp entry in ${path}`,
      fix: 'run `cnpg-mcp config claude-desktop --write` to add one',
    };
  }
  const problems: string[] = [];
  for (const [name, entry] of ours) {
    const command = typeof entry.command === 'string' ? entry.command : '';
    if (!isAbsolute(command))
      problems.push(`"${name}" runs "${command}" by name, which needs your shell's PATH`);
    else if (!existsSync(command)) problems.push(`"${name}" runs ${command}, which does not exist`);
    const script = Array.isArray(entry.args)
      ? entry.args.find((arg) => typeof arg === 'string' && isAbsolute(arg))
      : undefined;
    if (typeof script === 'string' && !existsSync(script))
      problems.push(`"${name}" starts ${script}, which does not exist`);
  }
  return problems.length === 0
    ? {
        name: 'claude',
        state: 'ok',
        detail: `${ours.map(([name]) => `"${name}"`).join(', ')} in ${path} can start`,
      }
    : {
        name: 'claude',
        state: 'warn',
        detail: problems.join('; '),
        fix: 'run `cnpg-mcp config claude-desktop --write` to write absolute paths, then restart Claude Desktop',
      };
}
