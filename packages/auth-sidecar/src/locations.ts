import { userInfo } from 'node:os';
import { join } from 'node:path';
import { shortHash } from './paths.js';
import type { Settings } from './settings.js';
import { SIDECAR_VERSION } from './version.js';

/**
 * One sidecar per OS user, profile (issuer, client, audience/resource, remote) and sidecar version:
 * after an upgrade the new code starts its own sidecar while the old one idles out. Both share
 * the token store and the refresh lock, which are keyed by identity only.
 */
function profileHash(settings: Settings): string {
  return shortHash(
    SIDECAR_VERSION,
    settings.issuer,
    settings.clientId,
    settings.audience,
    settings.resource,
    settings.remoteUrl,
  );
}

/** Unix socket path (or Windows named pipe) of the sidecar for these settings. */
export function sidecarSocketPath(settings: Settings): string {
  if (process.platform === 'win32')
    return `\\\\.\\pipe\\cnpg-mcp-${userInfo().username}-${profileHash(settings)}`;
  const path = join(settings.runtimeDir, `sidecar-${profileHash(settings)}.sock`);
  if (Buffer.byteLength(path) > 100) {
    throw new Error(
      `The sidecar socket path ${path} is too long for a Unix socket (max ~100 bytes); ` +
        'choose a shorter directory with the setting runtimeDir (env CNPG_MCP_RUNTIME_DIR).',
    );
  }
  return path;
}

export function sidecarLogPath(settings: Settings): string {
  return join(settings.runtimeDir, `sidecar-${profileHash(settings)}.log`);
}

export function sidecarSpawnLockPath(settings: Settings): string {
  return join(settings.runtimeDir, `sidecar-${profileHash(settings)}.spawn.lock`);
}
