import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { SidecarProfile } from './api.js';
import { type Env, shortHash } from './paths.js';
import type { Settings } from './settings.js';
import { storeChoice } from './store-choice.js';
import { SIDECAR_VERSION } from './version.js';

/** Environment variable through which ensureSidecar hands the resolved settings to the daemon. */
export const SIDECAR_SETTINGS_ENV = 'CNPG_MCP_SIDECAR_SETTINGS';
/** Environment variable with the daemon's idle time until its first forwarded call (one-shot commands). */
export const SIDECAR_START_IDLE_ENV = 'CNPG_MCP_SIDECAR_START_IDLE_SECONDS';

/**
 * What a sidecar serves: the identity its tokens belong to, the remote it forwards to, and the
 * store that holds the refresh token. Clients compare it with what they expect before using one.
 */
export function sidecarProfile(settings: Settings, env: Env = process.env): SidecarProfile {
  return {
    issuer: settings.issuer,
    clientId: settings.clientId,
    ...(settings.audience === undefined ? {} : { audience: settings.audience }),
    ...(settings.resource === undefined ? {} : { resource: settings.resource }),
    remoteUrl: settings.remoteUrl,
    store: storeChoice(settings, env).id,
  };
}

/**
 * One sidecar per OS user, profile and sidecar version: after an upgrade the new code starts its
 * own sidecar while the old one idles out, and a client configured for another token store gets
 * its own. All share the refresh lock, which is keyed by identity only.
 */
function profileHash(settings: Settings, env: Env): string {
  const profile = sidecarProfile(settings, env);
  return shortHash(
    SIDECAR_VERSION,
    profile.issuer,
    profile.clientId,
    profile.audience,
    profile.resource,
    profile.remoteUrl,
    profile.store,
  );
}

/** Unix socket path (or Windows named pipe) of the sidecar for these settings. */
export function sidecarSocketPath(settings: Settings, env: Env = process.env): string {
  if (process.platform === 'win32')
    return `\\\\.\\pipe\\cnpg-mcp-${userInfo().username}-${profileHash(settings, env)}`;
  const path = join(settings.runtimeDir, `sidecar-${profileHash(settings, env)}.sock`);
  if (Buffer.byteLength(path) > 100) {
    throw new Error(
      `The sidecar socket path ${path} is too long for a Unix socket (max ~100 bytes); ` +
        'choose a shorter directory with the setting runtimeDir (env CNPG_MCP_RUNTIME_DIR).',
    );
  }
  return path;
}

export function sidecarLogPath(settings: Settings, env: Env = process.env): string {
  return join(settings.runtimeDir, `sidecar-${profileHash(settings, env)}.log`);
}

export function sidecarSpawnLockPath(settings: Settings, env: Env = process.env): string {
  return join(settings.runtimeDir, `sidecar-${profileHash(settings, env)}.spawn.lock`);
}
