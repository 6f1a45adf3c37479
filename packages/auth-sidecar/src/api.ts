// The sidecar's wire API, typed in one place: a zod schema per control route (request and
// response), the error codes every error answer carries, and the login answer. The daemon parses
// requests and the client parses answers with these schemas, so neither side can drift.
import * as z from 'zod';

/** Base URL for requests over the sidecar's socket; the host part is ignored. */
export const SIDECAR_BASE_URL = 'http://cnpg-mcp-sidecar';

/** The forwarding path: everything else on the socket is the control API. */
export const MCP_PATH = '/mcp';

/**
 * Header on every answer the sidecar itself produces as an error (never on a remote's answer,
 * from which the sidecar strips it), so a client can tell "the sidecar says" from "the remote says".
 */
export const ERROR_HEADER = 'cnpg-mcp-error';

/** Request header on /mcp: how a login this call causes should be done (`auto`, `browser`, `device`). */
export const LOGIN_MODE_HEADER = 'cnpg-mcp-login-mode';

// ---------------------------------------------------------------------------------------------
// Error codes (in the style of jose's `ERR_JWT_EXPIRED`): one per thing that can go wrong, with
// the HTTP status the sidecar answers it with.

export const ERROR_STATUS = {
  /** No usable login; on /mcp the answer also says which login to finish (`login`). */
  ERR_LOGIN_REQUIRED: 401,
  /** The provider refused the login or the code exchange failed. */
  ERR_LOGIN_FAILED: 400,
  /** Nobody finished the login before it expired. */
  ERR_LOGIN_TIMEOUT: 408,
  /** The login was replaced, logged out or the sidecar shut down. */
  ERR_LOGIN_CANCELLED: 409,
  /** A pasted redirect URL or a wait names a login that is not (or no longer) running. */
  ERR_LOGIN_NOT_RUNNING: 409,
  /** The provider offers no device authorization. */
  ERR_DEVICE_UNSUPPORTED: 400,
  /** The login callback port on 127.0.0.1 is taken. */
  ERR_CALLBACK_PORT_BUSY: 409,
  /** The provider could not be reached or answered with an error (discovery, refresh). */
  ERR_PROVIDER_FAILED: 502,
  /** The OS keychain cannot be used (`problem` says why). */
  ERR_KEYCHAIN_UNAVAILABLE: 503,
  /** The remote API could not be reached: nothing was sent, the call may be sent again. */
  ERR_REMOTE_UNREACHABLE: 502,
  /** The connection to the remote broke after the call was sent: it may or may not have completed. */
  ERR_REMOTE_CONNECTION_LOST: 502,
  /** The remote did not answer in time after the call was sent: it may or may not have completed. */
  ERR_REMOTE_TIMEOUT: 504,
  /** The remote answered with a redirect; redirects are never followed (`location` says where). */
  ERR_REDIRECT_REFUSED: 502,
  /** Bad request: a body, parameter or request target not in the expected form. */
  ERR_INVALID_REQUEST: 400,
  ERR_NOT_FOUND: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_BODY_TOO_LARGE: 413,
  /** Loopback TCP listener: the Host header does not name it. */
  ERR_BAD_HOST: 421,
  /** Loopback TCP listener: the per-install secret is missing or wrong. */
  ERR_BAD_SECRET: 401,
  ERR_INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];
export const errorCodeSchema = z.enum(ERROR_CODES);

/**
 * Whether an error from a forwarded call guarantees the remote did not run it, so the call may be
 * sent again (once the cause is fixed). Every other error leaves the outcome unknown.
 */
export function callWasNotSent(code: ErrorCode): boolean {
  return (
    code !== 'ERR_REMOTE_CONNECTION_LOST' && code !== 'ERR_REMOTE_TIMEOUT' && code !== 'ERR_REDIRECT_REFUSED'
  );
}

// ---------------------------------------------------------------------------------------------
// Shared values

export const loginModeSchema = z.enum(['auto', 'browser', 'device']);
export type LoginMode = z.infer<typeof loginModeSchema>;

export const loginUserSchema = z.object({
  sub: z.string(),
  email: z.string().optional(),
  name: z.string().optional(),
});
export type LoginUser = z.infer<typeof loginUserSchema>;

export const storeKindSchema = z.enum(['keychain', 'file', 'env']);
export type StoreKind = z.infer<typeof storeKindSchema>;

/** A browser login that runs: open `url`; its `id` is what to wait for. */
export const browserLoginSchema = z.object({
  state: z.literal('browser'),
  id: z.string(),
  /** The provider's authorization URL to open. */
  url: z.string(),
  /** The loopback callback; a person whose browser runs elsewhere pastes the final URL back. */
  redirectUri: z.string(),
  expiresAt: z.string(),
});

/** A device login that runs: open `verificationUri` and enter `userCode`. */
export const deviceLoginSchema = z.object({
  state: z.literal('device'),
  id: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string().optional(),
  userCode: z.string(),
  expiresAt: z.string(),
});

export const pendingLoginAnswerSchema = z.discriminatedUnion('state', [
  browserLoginSchema,
  deviceLoginSchema,
]);
export type PendingLoginAnswer = z.infer<typeof pendingLoginAnswerSchema>;

/** Where a login stands, as the person must act on it: running (`browser`, `device`) or ended. */
export const loginAnswerSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('logged_in'), user: loginUserSchema.optional() }),
  browserLoginSchema,
  deviceLoginSchema,
  z.object({ state: z.literal('failed'), code: errorCodeSchema, message: z.string() }),
]);
export type LoginAnswer = z.infer<typeof loginAnswerSchema>;

// ---------------------------------------------------------------------------------------------
// Error answers: `{ code, message }`, plus what a few codes carry.

const plainErrorCodes = ERROR_CODES.filter(
  (code) => !['ERR_LOGIN_REQUIRED', 'ERR_KEYCHAIN_UNAVAILABLE', 'ERR_REDIRECT_REFUSED'].includes(code),
) as [ErrorCode, ...ErrorCode[]];

export const keychainProblemSchema = z.enum([
  'not-built',
  'no-dbus',
  'no-secret-service',
  'locked',
  'timeout',
  'error',
]);
export type KeychainProblem = z.infer<typeof keychainProblemSchema>;

export const loginRequiredReasonSchema = z.enum(['not_logged_in', 'invalid_grant', 'rejected_by_remote']);
export type LoginRequiredReason = z.infer<typeof loginRequiredReasonSchema>;

export const errorBodySchema = z.discriminatedUnion('code', [
  z.object({
    code: z.literal('ERR_LOGIN_REQUIRED'),
    message: z.string(),
    reason: loginRequiredReasonSchema,
    /** On /mcp: the login the sidecar started or joined for this call (or why it could not). */
    login: loginAnswerSchema.optional(),
  }),
  z.object({
    code: z.literal('ERR_KEYCHAIN_UNAVAILABLE'),
    message: z.string(),
    problem: keychainProblemSchema,
  }),
  z.object({
    code: z.literal('ERR_REDIRECT_REFUSED'),
    message: z.string(),
    status: z.number().int(),
    /** The Location the remote pointed at (absent when it sent none). */
    location: z.string().optional(),
  }),
  z.object({ code: z.enum(plainErrorCodes), message: z.string() }),
]);
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** An error answer from the sidecar, thrown by the client. Narrow with `error.body.code`. */
export class SidecarError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(readonly body: ErrorBody) {
    super(body.message);
    this.name = 'SidecarError';
    this.code = body.code;
    this.status = ERROR_STATUS[body.code];
  }
}

export function isSidecarError<C extends ErrorCode>(
  error: unknown,
  code?: C,
): error is SidecarError & { code: C; body: Extract<ErrorBody, { code: C }> } {
  return error instanceof SidecarError && (code === undefined || error.code === code);
}

// ---------------------------------------------------------------------------------------------
// Control routes: `${method} ${path}` → request (body or query) and response schemas.

export const profileSchema = z.object({
  issuer: z.string(),
  clientId: z.string(),
  audience: z.string().optional(),
  resource: z.string().optional(),
  remoteUrl: z.string(),
  /** Which store holds the refresh token: `keychain`, `file`, or `env:<file or variable>`. */
  store: z.string(),
});
export type SidecarProfile = z.infer<typeof profileSchema>;

export const healthResponseSchema = z.object({
  ok: z.literal(true),
  pid: z.number().int(),
  version: z.string(),
  profile: profileSchema,
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

export const statusQuerySchema = z.strictObject({
  /** With a login whose user is unknown (a refresh-token file), fetch a token to learn who it is. */
  identify: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true'),
});
export type StatusQuery = z.input<typeof statusQuerySchema>;

export const statusResponseSchema = z.object({
  loggedIn: z.boolean(),
  user: loginUserSchema.optional(),
  accessTokenExpiresAt: z.string().optional(),
  storeError: z.string().optional(),
  store: storeKindSchema,
  storeLocation: z.string(),
  remoteUrl: z.string(),
  issuer: z.string(),
  /** The login that runs now, if any. */
  login: pendingLoginAnswerSchema.optional(),
  pid: z.number().int(),
  tcpPort: z.number().int().optional(),
});
export type SidecarStatus = z.infer<typeof statusResponseSchema>;

export const loginRequestSchema = z.strictObject({ mode: loginModeSchema.default('auto') });
export type LoginRequest = z.input<typeof loginRequestSchema>;

/** Longest a single wait may last; the client waits again for longer logins. */
export const MAX_WAIT_MS = 600_000;

export const waitQuerySchema = z.strictObject({
  /** The login to wait for (its `id`); without it, the one running now. */
  login: z.string().min(1).optional(),
  timeoutMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).default(30_000),
});
export type WaitQuery = z.input<typeof waitQuerySchema>;

export const pasteRequestSchema = z.strictObject({ url: z.string().min(1) });
export type PasteRequest = z.infer<typeof pasteRequestSchema>;

export const logoutResponseSchema = z.object({
  hadLogin: z.boolean(),
  revoked: z.boolean(),
  revocationError: z.string().optional(),
});
export type LogoutResponse = z.infer<typeof logoutResponseSchema>;

export const tokenResponseSchema = z.object({ access_token: z.string(), expires_at: z.string() });
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

const noBody = z.strictObject({});

/** Every control route. A login answer is `failed` rather than an HTTP error when the login itself failed. */
export const ROUTES = {
  'GET /health': { request: noBody, response: healthResponseSchema },
  'GET /status': { request: statusQuerySchema, response: statusResponseSchema },
  /** Starts a login, or joins the one running. */
  'POST /login': { request: loginRequestSchema, response: pendingLoginAnswerSchema },
  /** Waits until the login ends (`logged_in` / `failed`) or the timeout passes (the login, still running). */
  'GET /login/wait': { request: waitQuerySchema, response: loginAnswerSchema },
  /** Completes the running browser login from the redirect URL the browser could not load. */
  'POST /login/paste': { request: pasteRequestSchema, response: loginAnswerSchema },
  /** Revokes the refresh token at the provider and deletes it. */
  'POST /logout': { request: noBody, response: logoutResponseSchema },
  'GET /token': { request: noBody, response: tokenResponseSchema },
} as const;

export type RouteKey = keyof typeof ROUTES;
export type RouteRequest<K extends RouteKey> = z.input<(typeof ROUTES)[K]['request']>;
export type RouteResponse<K extends RouteKey> = z.infer<(typeof ROUTES)[K]['response']>;
