import * as oidc from 'openid-client';
import type { LoginMode } from '../../api.js';
import type { Logger } from '../../redact.js';
import type { Settings } from '../../settings.js';
import type { LoginUser } from '../store/types.js';
import type { TokenManager } from '../token-manager.js';
import { type CallbackListener, type CallbackPage, listenForCallback, page } from './callback-listener.js';
import { describeOidcError, resourceParameters } from './provider.js';

/** What the person needs to act on; returned at once when a login starts (or is joined). */
export interface LoginStart {
  mode: 'browser' | 'device';
  authorizationUrl?: string;
  redirectUri?: string;
  verificationUri?: string;
  verificationUriComplete?: string;
  userCode?: string;
  expiresAt: string;
  /** Set when the start was asked for only if needed and a login already exists: nothing started. */
  alreadyLoggedIn?: boolean;
}

export interface LoginOutcome {
  loggedIn: boolean;
  user?: LoginUser;
  error?: string;
}

export class LoginError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

interface PendingLogin {
  start: LoginStart;
  done: Promise<LoginOutcome>;
  finish(outcome: LoginOutcome): void;
  /** Completes a browser login from the redirect URL (callback listener or pasted). */
  complete?: (callbackUrl: URL) => Promise<CallbackPage>;
}

export interface LoginCoordinatorOptions {
  settings: Settings;
  provider: () => Promise<oidc.Configuration>;
  tokens: TokenManager;
  log: Logger;
  /** Whether a browser can be shown here (decides 'auto'); default: DISPLAY / WAYLAND_DISPLAY on Linux. */
  hasDisplay?: () => boolean;
}

export function defaultHasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Runs at most one login at a time (later callers join it): Authorization Code + PKCE S256 with
 * state, nonce and RFC 9207 iss over the 127.0.0.1 callback, a paste-the-redirect-URL fallback for
 * the same flow, or device authorization. Never started implicitly: only on an explicit request.
 */
export class LoginCoordinator {
  private pending: PendingLogin | undefined;
  private starting: Promise<LoginStart> | undefined;
  private lastOutcome: LoginOutcome | undefined;
  private readonly settings: Settings;
  private readonly provider: () => Promise<oidc.Configuration>;
  private readonly tokens: TokenManager;
  private readonly log: Logger;
  private readonly hasDisplay: () => boolean;

  constructor(options: LoginCoordinatorOptions) {
    this.settings = options.settings;
    this.provider = options.provider;
    this.tokens = options.tokens;
    this.log = options.log;
    this.hasDisplay = options.hasDisplay ?? (() => defaultHasDisplay());
  }

  get active(): boolean {
    return this.pending !== undefined || this.starting !== undefined;
  }

  /**
   * Starts a login, or joins the one already running (several stdio servers asking at once get
   * the same URL). Asking explicitly for the other mode replaces the running login.
   */
  start(mode: LoginMode, options: { unlessLoggedIn?: boolean } = {}): Promise<LoginStart> {
    if (this.pending && (mode === 'auto' || mode === this.pending.start.mode)) {
      return Promise.resolve(this.pending.start);
    }
    // A caller that found no login a moment ago may ask after another caller's login has just
    // finished: it gets that login instead of a new one nobody will complete.
    if (options.unlessLoggedIn && !this.pending && !this.starting) return this.startUnlessLoggedIn(mode);
    if (this.pending) this.cancel(`replaced by a ${mode} login`);
    this.starting ??= this.startNew(mode).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startUnlessLoggedIn(mode: LoginMode): Promise<LoginStart> {
    const status = await this.tokens.status();
    if (status.loggedIn) {
      return {
        mode: mode === 'device' ? 'device' : 'browser',
        expiresAt: new Date().toISOString(),
        alreadyLoggedIn: true,
      };
    }
    return this.start(mode);
  }

  private async startNew(mode: LoginMode): Promise<LoginStart> {
    const config = await this.provider();
    const deviceSupported = Boolean(config.serverMetadata().device_authorization_endpoint);
    const chosen = mode === 'auto' ? (!this.hasDisplay() && deviceSupported ? 'device' : 'browser') : mode;
    if (chosen === 'device') {
      if (!deviceSupported) {
        throw new LoginError(
          'device_unsupported',
          `The provider ${this.settings.issuer} offers no device authorization; use the browser login ` +
            '(its URL can be opened on any machine and the final redirect URL pasted back).',
        );
      }
      return this.startDevice(config);
    }
    return this.startBrowser(config);
  }

  /** Waits for the running login (or returns at once when none runs). */
  async wait(timeoutMs: number): Promise<LoginOutcome> {
    const pending = this.pending;
    if (!pending) {
      const status = await this.tokens.status();
      return { ...this.lastOutcome, loggedIn: status.loggedIn, user: status.user ?? this.lastOutcome?.user };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<LoginOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ loggedIn: false }), timeoutMs);
    });
    try {
      return await Promise.race([pending.done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Paste fallback: the URL the browser was redirected to (it may have failed to load). */
  async completeFromPastedUrl(pasted: string): Promise<LoginOutcome> {
    const pending = this.pending;
    if (!pending?.complete) {
      throw new LoginError(
        'no_browser_login',
        'No browser login is waiting; start one with POST /login first.',
      );
    }
    let url: URL;
    try {
      url = new URL(pasted.trim());
    } catch {
      throw new LoginError(
        'invalid_redirect_url',
        'expected the full redirect URL (http://127.0.0.1:PORT/callback?code=…&state=…)',
      );
    }
    if (!url.searchParams.has('state') || !(url.searchParams.has('code') || url.searchParams.has('error'))) {
      throw new LoginError('invalid_redirect_url', 'the pasted URL has no code/error and state parameters');
    }
    const result = await pending.complete(url);
    if (result.status === 400 && this.pending === pending) {
      return {
        loggedIn: false,
        error: 'the pasted URL does not belong to the login in progress (state mismatch)',
      };
    }
    return pending.done;
  }

  cancel(reason = 'login cancelled'): void {
    this.pending?.finish({ loggedIn: false, error: reason });
  }

  private begin(
    start: LoginStart,
    cleanup: () => void | Promise<void>,
  ): { finish: (o: LoginOutcome) => void; pending: PendingLogin } {
    let resolveDone!: (outcome: LoginOutcome) => void;
    const done = new Promise<LoginOutcome>((resolve) => {
      resolveDone = resolve;
    });
    const timer = setTimeout(
      () =>
        finish({ loggedIn: false, error: `login timed out after ${this.settings.loginTimeoutSeconds} s` }),
      this.settings.loginTimeoutSeconds * 1000,
    );
    timer.unref();
    let finished = false;
    const finish = (outcome: LoginOutcome) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (this.pending === pending) this.pending = undefined;
      this.lastOutcome = outcome;
      this.log(outcome.loggedIn ? 'login completed' : `login failed: ${outcome.error}`);
      Promise.resolve(cleanup()).catch(() => {});
      resolveDone(outcome);
    };
    const pending: PendingLogin = { start, done, finish };
    this.pending = pending;
    return { finish, pending };
  }

  private async startBrowser(config: oidc.Configuration): Promise<LoginStart> {
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const wantsIdToken = this.settings.scopes.split(' ').includes('openid');
    let exchanging = false;
    let finishLogin: ((o: LoginOutcome) => void) | undefined;

    const complete = async (callbackUrl: URL): Promise<CallbackPage> => {
      if (callbackUrl.searchParams.get('state') !== state) {
        this.log('rejected a login callback whose state does not match the login in progress');
        return page(
          400,
          'Login failed',
          'This response does not belong to the login in progress (state mismatch).',
        );
      }
      if (exchanging || !finishLogin) {
        return page(409, 'Login in progress', 'This login is already being completed.');
      }
      exchanging = true;
      const finish = finishLogin;
      const providerError = callbackUrl.searchParams.get('error');
      if (providerError) {
        const description = callbackUrl.searchParams.get('error_description');
        const message = `the provider refused the login: ${providerError}${description ? `: ${description}` : ''}`;
        finish({ loggedIn: false, error: message });
        return page(400, 'Login failed', message);
      }
      const currentUrl = new URL(listener.redirectUri);
      currentUrl.search = callbackUrl.search;
      try {
        const obtainedAt = Date.now();
        const tokens = await oidc.authorizationCodeGrant(
          config,
          currentUrl,
          {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce,
            idTokenExpected: wantsIdToken,
          },
          resourceParameters(this.settings),
        );
        const user = await this.tokens.acceptLogin(tokens, obtainedAt);
        finish({ loggedIn: true, user });
        const who = user?.email ?? user?.name ?? user?.sub;
        return page(
          200,
          'Logged in',
          `cnpg-mcp is logged in${who ? ` as ${who}` : ''}. You can close this tab.`,
        );
      } catch (error) {
        const message = `the code exchange failed: ${describeOidcError(error)}`;
        finish({ loggedIn: false, error: message });
        return page(400, 'Login failed', message);
      }
    };

    const listener: CallbackListener = await listenForCallback(this.settings.callbackPort, complete);
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: listener.redirectUri,
      response_type: 'code',
      scope: this.settings.scopes,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      ...resourceParameters(this.settings),
    });
    const start: LoginStart = {
      mode: 'browser',
      authorizationUrl: authorizationUrl.href,
      redirectUri: listener.redirectUri,
      expiresAt: new Date(Date.now() + this.settings.loginTimeoutSeconds * 1000).toISOString(),
    };
    const { finish, pending } = this.begin(start, () => listener.close());
    finishLogin = finish;
    pending.complete = complete;
    this.log(`browser login started; callback listening on ${listener.redirectUri}`);
    return start;
  }

  private async startDevice(config: oidc.Configuration): Promise<LoginStart> {
    const response = await oidc.initiateDeviceAuthorization(config, {
      scope: this.settings.scopes,
      ...resourceParameters(this.settings),
    });
    const lifetimeMs = Math.min(response.expires_in, this.settings.loginTimeoutSeconds) * 1000;
    const abort = new AbortController();
    const start: LoginStart = {
      mode: 'device',
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete,
      userCode: response.user_code,
      expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
    };
    const { finish } = this.begin(start, () => abort.abort());
    oidc
      .pollDeviceAuthorizationGrant(config, response, resourceParameters(this.settings), {
        signal: abort.signal,
      })
      .then(async (tokens) => {
        const user = await this.tokens.acceptLogin(tokens, Date.now());
        finish({ loggedIn: true, user });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        finish({ loggedIn: false, error: `device login failed: ${describeOidcError(error)}` });
      });
    this.log('device login started');
    return start;
  }
}
