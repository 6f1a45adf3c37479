import { readCacheFile, remoteCachePath, writeCacheFile } from '../cache-file.js';
import { DISCOVERED_SETTINGS, type Discovery } from './discovery.js';

/** Where what was discovered about `remoteUrl` is kept, so that later starts need no network. */
export function discoveryCachePath(cacheDir: string, remoteUrl: string): string {
  return remoteCachePath(cacheDir, 'discovered', remoteUrl);
}

/** The cached discovery for `remoteUrl`; a missing, damaged or foreign file is none. */
export async function readDiscoveryCache(path: string, remoteUrl: string): Promise<Discovery | undefined> {
  const cached = (await readCacheFile(path)) as Partial<Discovery> | undefined;
  if (!cached || cached.remoteUrl !== remoteUrl || typeof cached.url !== 'string') return undefined;
  const values: Discovery['values'] = {};
  for (const name of DISCOVERED_SETTINGS) {
    const value = (cached.values as Record<string, unknown> | undefined)?.[name];
    if (typeof value === 'string' && value) values[name] = value;
  }
  return { remoteUrl, url: cached.url, values };
}

export function writeDiscoveryCache(path: string, discovery: Discovery): Promise<void> {
  return writeCacheFile(path, discovery);
}
