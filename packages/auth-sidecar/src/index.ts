// Library API of @cnpg-mcp/auth-sidecar. The daemon entry is dist/daemon.js (see daemonCommand()).
export {
  callWasNotSent,
  ERROR_CODES,
  ERROR_HEADER,
  ERROR_STATUS,
  type ErrorBody,
  type ErrorCode,
  errorBodySchema,
  type HealthResponse,
  isSidecarError,
  type KeychainProblem,
  type LoginAnswer,
  type LoginMode,
  type LoginRequiredReason,
  type LoginUser,
  type LogoutResponse,
  loginAnswerSchema,
  MAX_WAIT_MS,
  MCP_PATH,
  type PendingLoginAnswer,
  ROUTES,
  type RouteKey,
  type RouteRequest,
  type RouteResponse,
  SIDECAR_BASE_URL,
  SidecarError,
  type SidecarProfile,
  type StoreKind,
  type TokenResponse,
} from './api.js';
export { openBrowser } from './browser.js';
export { createDispatcher } from './http-client.js';
export { acquireLock, type LockHandle, type LockOptions, withLock } from './lock.js';
export { CallbackPortBusyError } from './oidc/callback-listener.js';
export {
  defaultHasDisplay,
  LoginCoordinator,
  LoginError,
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
  KeychainTokenStore,
  KeychainUnavailableError,
} from './store/keychain-store.js';
export { selectTokenStore } from './store/select-store.js';
export type { StoredLogin, TokenStore } from './store/types.js';
export {
  type AccessToken,
  LoginRequiredError,
  type LogoutResult,
  TokenManager,
  type TokenStatus,
} from './token-manager.js';
export { SIDECAR_VERSION } from './version.js';
