import type { Env } from '../../paths.js';
import type { Settings } from '../../settings.js';
import { EnvTokenStore } from './env-store.js';
import { FileTokenStore } from './file-store.js';
import { type KeychainStoreOptions, KeychainTokenStore } from './keychain-store.js';
import type { TokenStore } from './types.js';

export interface SelectStoreOptions {
  env?: Env;
  /** Where announcements go (default stderr). */
  announce?: (line: string) => void;
  keychain?: KeychainStoreOptions;
}

/**
 * Chooses the backend: a refresh token given through CNPG_MCP_REFRESH_TOKEN or refreshTokenFile wins
 * (headless, no keychain); otherwise the file store when tokenStore is 'file'; otherwise the keychain.
 */
export function selectTokenStore(settings: Settings, options: SelectStoreOptions = {}): TokenStore {
  const env = options.env ?? process.env;
  const announce = options.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
  const identity = {
    issuer: settings.issuer,
    clientId: settings.clientId,
    audience: settings.audience,
    resource: settings.resource,
  };
  const envToken = env.CNPG_MCP_REFRESH_TOKEN;
  if (settings.refreshTokenFile || envToken) return new EnvTokenStore(envToken, settings.refreshTokenFile);
  if (settings.tokenStore === 'file') return new FileTokenStore(settings.configDir, identity, announce);
  return new KeychainTokenStore(identity, options.keychain);
}
