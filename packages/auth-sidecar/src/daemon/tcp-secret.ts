import { randomBytes, timingSafeEqual } from 'node:crypto';
import { link, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from '../paths.js';
import { writeFileAtomic } from './atomic-file.js';

/** Path of the per-install secret that local TCP clients must present. */
export function tcpSecretPath(configDir: string): string {
  return join(configDir, 'sidecar-tcp-secret');
}

/**
 * Reads the per-install secret, creating it (32 random bytes, mode 0600) on first use. Creation is
 * a temp file hard-linked into place, so concurrent first runs agree on one secret.
 */
export async function readOrCreateTcpSecret(configDir: string): Promise<string> {
  const path = tcpSecretPath(configDir);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await ensurePrivateDir(configDir);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFileAtomic(temp, `${randomBytes(32).toString('base64url')}\n`);
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
  return (await readFile(path, 'utf8')).trim();
}

export function secretsEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
