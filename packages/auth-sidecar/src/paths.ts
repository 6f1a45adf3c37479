import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

const APP = 'cnpg-mcp';

/** Per-user configuration directory (config.json, the file token store, the TCP secret). */
export function defaultConfigDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP);
}

export function defaultCacheDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), APP);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', APP);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), APP);
}

/**
 * Where sockets and lock files live: $XDG_RUNTIME_DIR/cnpg-mcp; without that variable, the
 * systemd per-user /run/user/<uid> when it exists (so a process started from a shell that lacks
 * the variable still finds the same sidecar and refresh lock); else <cache dir>/run.
 */
export function defaultRuntimeDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32' && env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, APP);
  if (platform === 'linux' && typeof process.getuid === 'function') {
    const uid = process.getuid();
    const systemdDir = `/run/user/${uid}`;
    try {
      const info = statSync(systemdDir);
      if (info.isDirectory() && info.uid === uid && (info.mode & 0o077) === 0) return join(systemdDir, APP);
    } catch {
      // No per-user runtime directory on this machine.
    }
  }
  return join(defaultCacheDir(env, platform), 'run');
}

/**
 * Creates `dir` (and parents) and makes sure it is a directory owned by this user with mode 0700.
 * One owned by someone else, or that others could write to (they may have planted links in it), is
 * refused; one that others could only read is tightened.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await checkDir(dir, 'tighten-readable');
}

/**
 * The runtime directory (socket, log, locks) must be this user's and private already when it
 * exists: anything else is refused with what to do, never tightened after the fact.
 */
export async function ensurePrivateRuntimeDir(dir: string): Promise<void> {
  await checkDir(dir, 'refuse');
}

async function checkDir(dir: string, loose: 'tighten-readable' | 'refuse'): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const info = await lstat(dir);
  if (!info.isDirectory())
    throw new Error(`${dir} exists but is not a directory (a link?); refusing to use it`);
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
    throw new Error(
      `${dir} is owned by uid ${info.uid}, not by you (uid ${process.getuid()}); refusing to use it`,
    );
  }
  const mode = info.mode & 0o777;
  if (mode === 0o700) return;
  if (loose === 'refuse' || (mode & 0o022) !== 0) {
    throw new Error(
      `${dir} has mode ${mode.toString(8).padStart(4, '0')}, not 0700: others ${
        (mode & 0o022) !== 0 ? 'can write to it' : 'can read it'
      }, so it is not safe for cnpg-mcp's files; refusing to use it. Check what it contains, then run ` +
        `\`chmod 700 ${dir}\` (or remove it), or choose another directory.`,
    );
  }
  await chmod(dir, 0o700);
}

/** Short stable hash used to name per-identity files (locks, sockets, credential files). */
export function shortHash(...parts: Array<string | undefined>): string {
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\u0000'))
    .digest('hex')
    .slice(0, 16);
}
