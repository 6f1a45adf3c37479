import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockOptions {
  /** Give up waiting after this long (default 60 s). */
  waitMs?: number;
  /** A lock older than this is considered abandoned even if its pid looks alive (default 90 s). */
  staleMs?: number;
}

export interface LockHandle {
  release(): Promise<void>;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockOwner {
  pid: number;
  token: string;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') return parsed as LockOwner;
  } catch {
    // Missing or half-written: treated as "not known yet".
  }
  return undefined;
}

/**
 * Removes an abandoned lock without ever removing a fresh one: the stale file is renamed away
 * (atomic, only one process wins), and if what was renamed turns out not to be the stale lock,
 * it is linked back into place.
 */
async function breakStaleLock(path: string, stale: LockOwner | undefined): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (moved?.token !== stale?.token) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}

/**
 * Exclusive lock between processes of the same user: a file created with O_EXCL holding the owner's
 * pid. Locks whose owner died, or that are older than staleMs, are broken safely.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
  const waitMs = options.waitMs ?? 60_000;
  const staleMs = options.staleMs ?? 90_000;
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + waitMs;
  let delay = 10;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify({ pid: process.pid, token }));
      await handle.close();
      return {
        release: async () => {
          const owner = await readOwner(path);
          if (owner?.token === token) await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    const age = await stat(path).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    // An owner-less file older than 2 s belongs to a process that died between create and write.
    const abandoned = owner ? !processIsAlive(owner.pid) || age > staleMs : age > 2000;
    if (abandoned) {
      await breakStaleLock(path, owner);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${waitMs} ms waiting for lock ${path} (held by pid ${owner?.pid ?? '?'})`,
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
}

export async function withLock<T>(path: string, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
