import type { StoreKind } from './api.js';
import type { Env } from './paths.js';
import type { Settings } from './settings.js';

export interface StoreChoice {
  kind: StoreKind;
  /** Which store exactly: `keychain`, `file`, `env:file <path>` or `env:variable` (never the token). */
  id: string;
}

/**
 * Where the refresh token lives for these settings: a token given through CNPG_MCP_REFRESH_TOKEN
 * or refreshTokenFile wins (headless), then the file store when tokenStore is 'file', else the keychain.
 * Part of the sidecar's identity, so clients configured for different stores never share a sidecar.
 */
export function storeChoice(settings: Settings, env: Env): StoreChoice {
  if (settings.refreshTokenFile) return { kind: 'env', id: `env:file ${settings.refreshTokenFile}` };
  if (env.CNPG_MCP_REFRESH_TOKEN) return { kind: 'env', id: 'env:variable' };
  if (settings.tokenStore === 'file') return { kind: 'file', id: 'file' };
  return { kind: 'keychain', id: 'keychain' };
}
