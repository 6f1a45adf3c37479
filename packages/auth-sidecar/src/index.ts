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
  LOGIN_MODE_HEADER,
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
  type SidecarStatus,
  type StoreKind,
  type TokenResponse,
} from './api.js';
export { openBrowser } from './client/browser.js';
export { SidecarClient, type WaitForLoginOptions } from './client/client.js';
export {
  daemonCommand,
  type EnsuredSidecar,
  type EnsureSidecarOptions,
  ensureSidecar,
  ONE_SHOT_IDLE_SECONDS,
} from './client/ensure.js';
export {
  describeLogin,
  type FollowLoginOptions,
  followLogin,
  type InteractiveLoginOptions,
  interactiveLogin,
  storeNotice,
} from './client/wait-for-login.js';
export { createDispatcher } from './daemon/http-client.js';
export { SidecarAlreadyRunningError } from './daemon/listeners.js';
export { CallbackPortBusyError } from './daemon/oidc/callback-listener.js';
export { defaultHasDisplay, type FinalLoginAnswer, LoginCoordinator } from './daemon/oidc/login.js';
export { discoverProvider, resourceParameters } from './daemon/oidc/provider.js';
export { type RunningSidecar, type SidecarOptions, startSidecar } from './daemon/server.js';
export { EnvTokenStore } from './daemon/store/env-store.js';
export { FileTokenStore } from './daemon/store/file-store.js';
export {
  classifyKeychainError,
  KEYCHAIN_SERVICE,
  KeychainTokenStore,
  KeychainUnavailableError,
} from './daemon/store/keychain-store.js';
export { selectTokenStore } from './daemon/store/select-store.js';
export type { StoredLogin, TokenStore } from './daemon/store/types.js';
export { readOrCreateTcpSecret, tcpSecretPath } from './daemon/tcp-secret.js';
export { type AccessToken, loginRequired, TokenManager, type TokenStatus } from './daemon/token-manager.js';
export { sidecarLogPath, sidecarProfile, sidecarSocketPath } from './locations.js';
export { acquireLock, type LockHandle, type LockOptions, withLock } from './lock.js';
export {
  defaultCacheDir,
  defaultConfigDir,
  defaultRuntimeDir,
  type Env,
  ensurePrivateDir,
  ensurePrivateRuntimeDir,
} from './paths.js';
export { createLogger, type Logger, redactHeaders, redactText } from './redact.js';
export {
  DEFAULT_SCOPES,
  envName,
  flagName,
  givenSetting,
  type LoadSettingsOptions,
  loadSettings,
  type ResolvedSettings,
  resolveSettings,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  type SettingSource,
  type Settings,
  SettingsError,
  type SettingValue,
  settingsSchema,
} from './settings.js';
export { SIDECAR_VERSION } from './version.js';
