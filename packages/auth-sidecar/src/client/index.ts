// What a program that talks to the sidecar needs (the stdio server, the CLI commands): the wire
// API, the client, starting the sidecar and following a login. None of the daemon (OIDC, token
// stores, forwarding) and no HTTP client library: a bundle that imports only this entry loads
// none of that.
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
} from '../api.js';
export { sidecarLogPath, sidecarProfile, sidecarSocketPath } from '../locations.js';
export { openBrowser } from './browser.js';
export { SidecarClient, type WaitForLoginOptions } from './client.js';
export {
  daemonCommand,
  type EnsuredSidecar,
  type EnsureSidecarOptions,
  ensureSidecar,
  ONE_SHOT_IDLE_SECONDS,
} from './ensure.js';
export {
  describeLogin,
  type FollowLoginOptions,
  followLogin,
  type InteractiveLoginOptions,
  interactiveLogin,
  storeNotice,
} from './wait-for-login.js';
