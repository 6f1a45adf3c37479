// Library API of @cnpg-mcp/auth-sidecar. The daemon entry is dist/daemon.js (see daemonCommand()).
export { openBrowser } from './browser.js';
export { createDispatcher } from './http-client.js';
export { acquireLock, type LockHandle, type LockOptions, withLock } from './lock.js';
export { CallbackPortBusyError } from './oidc/callback-listener.js';
export {
  defaultHasDisplay,
  LoginCoordinator,
  LoginError,
  type LoginMode,
  type LoginOutcome,
  type LoginStart,
} from './oidc/login.js';
export { discoverProvider, resourceParameters } from './oidc/provider.js';
export { defaultCacheDir, defaultConfigDir, defaultRuntimeDir, type Env, ensurePrivateDir } from './paths.js';
export { createLogger, type Logger, redactHeaders, redactText } from './redact.js';
export {
  DEFAULT_SCOPES,
  envName,
  flagName,
  type LoadSettingsOptions,
  loadSettings,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  type Settings,
  SettingsError,
  type SettingValue,
  settingsSchema,
} from './settings.js';
export {
  type LogoutResponse,
  SIDECAR_BASE_URL,
  SidecarApiError,
  SidecarClient,
  type SidecarStatus,
} from './sidecar/client.js';
export {
  daemonCommand,
  type EnsuredSidecar,
  type EnsureSidecarOptions,
  ensureSidecar,
} from './sidecar/ensure.js';
export {
  describeLoginStart,
  type InteractiveLoginOptions,
  interactiveLogin,
  storeNotice,
} from './sidecar/interactive-login.js';
export { SidecarAlreadyRunningError } from './sidecar/listeners.js';
export { sidecarLogPath, sidecarSocketPath } from './sidecar/locations.js';
export { type RunningSidecar, type SidecarOptions, startSidecar } from './sidecar/server.js';
export { readOrCreateTcpSecret, tcpSecretPath } from './sidecar/tcp-secret.js';
export { EnvTokenStore } from './store/env-store.js';
export { FileTokenStore } from './store/file-store.js';
export {
  classifyKeychainError,
  KEYCHAIN_SERVICE,
  type KeychainProblem,
  KeychainTokenStore,
  KeychainUnavailableError,
} from './store/keychain-store.js';
export { selectTokenStore } from './store/select-store.js';
export type { LoginUser, StoredLogin, StoreKind, TokenStore } from './store/types.js';
export {
  type AccessToken,
  LoginRequiredError,
  type LogoutResult,
  TokenManager,
  type TokenStatus,
} from './token-manager.js';
export { SIDECAR_VERSION } from './version.js';
