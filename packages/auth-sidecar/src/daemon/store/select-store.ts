import type { Env } from '../../paths.js';
import type { Settings } from '../../settings.js';
import { storeChoice } from '../../store-choice.js';
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

/** The store storeChoice() names for these settings and environment. */
export function selectTokenStore(settings: Settings, options: SelectStoreOptions = {}): TokenStore {
  const env = options.env ?? process.env;
  const announce = options.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
  const identity = {
    issuer: settings.issuer,
    clientId: settings.clientId,
    audience: settings.audience,
    resource: settings.resource,
  };
  switch (storeChoice(settings, env).kind) {
    case 'env':
      return new EnvTokenStore(env.CNPG_MCP_REFRESH_TOKEN, settings.refreshTokenFile);
    case 'file':
      return new FileTokenStore(settings.configDir, identity, announce);
    case 'keychain':
      return new KeychainTokenStore(identity, options.keychain);
  }
}
