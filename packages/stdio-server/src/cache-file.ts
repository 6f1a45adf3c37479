import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The file in the user's cache dir that keeps `kind` (lists, discovered settings) for one remote URL. */
export function remoteCachePath(cacheDir: string, kind: string, remoteUrl: string): string {
  const key = createHash('sha256').update(remoteUrl).digest('hex').slice(0, 16);
  return join(cacheDir, `${kind}-${key}.json`);
}

/** A cache file's JSON; a missing or damaged file is no cache. */
export async function readCacheFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache file, mode 0600 in a 0700 directory, atomically (temp file + rename) so that
 * several servers starting at once never read half a file.
 */
export async function writeCacheFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}
