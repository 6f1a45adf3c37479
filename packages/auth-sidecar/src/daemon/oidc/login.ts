import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import {
  type ErrorCode,
  type LoginAnswer,
  type LoginMode,
  type PendingLoginAnswer,
  SidecarError,
} from '../../api.js';
import type { Logger } from '../../redact.js';
import type { Settings } from '../../settings.js';
import { errorBody } from '../errors.js';
import { invalidRequest } from '../json.js';
import type { TokenManager } from '../token-manager.js';
import { type CallbackListener, type CallbackPage, listenForCallback, page } from './callback-listener.js';
import { describeOidcError, resourceParameters } from './provider.js';

/** A login that ended: its answer is final. */
export type FinalLoginAnswer = Extract<LoginAnswer, { state: 'logged_in' | 'failed' }>;

interface PendingLogin {
  answer: PendingLoginAnswer;
  done: Promise<FinalLoginAnswer>;
  finish(outcome: FinalLoginAnswer): void;
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

/** How many ended logins are remembered, so a late waiter still learns how the one it waited for ended. */
const REMEMBERED_OUTCOMES = 16;

function failed(code: ErrorCode, message: string): FinalLoginAnswer {
  return { state: 'failed', code, message };
}

/**
 * Runs at most one login at a time (later callers join it): Authorization Code + PKCE S256 with
 * state, nonce and RFC 9207 iss over the 127.0.0.1 callback, a paste-the-redirect-URL fallback for
 * the same flow, or device authorization. Started on an explicit request, or by a forwarded call
 * that needs a login (forCall), never at start-up.
 */
export class LoginCoordinator {
  private pending: PendingLogin | undefined;
  private starting: Promise<PendingLoginAnswer> | undefined;
  private readonly ended = new Map<string, FinalLoginAnswer>();
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

  /** The login that runs now, as the person must act on it. */
  get running(): PendingLoginAnswer | undefined {
    return this.pending?.answer;
  }

  /**
   * Starts a login, or joins the one already running (several stdio servers asking at once get
   * the same URL). Asking explicitly for the other mode replaces the running login.
   */
  start(mode: LoginMode): Promise<PendingLoginAnswer> {
    if (this.pending && (mode === 'auto' || mode === this.pending.answer.state)) {
      return Promise.resolve(this.pending.answer);
    }
    if (this.pending) this.cancel(`replaced by a ${mode} login`);
    this.starting ??= this.startNew(mode).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * For a forwarded call that found no usable login: joins the running login, or answers
   * `logged_in` when one completed since the call looked (so it is sent at once), or starts one.
   * With `rejectedByRemote`, the current login does not count (the remote refused its token).
   * A login that cannot start is answered as `failed` with the reason.
   */
  async forCall(mode: LoginMode, options: { rejectedByRemote?: boolean } = {}): Promise<LoginAnswer> {
    if (this.pending) return this.pending.answer;
    if (!this.starting && !options.rejectedByRemote) {
      const status = await this.tokens.status();
      if (status.loggedIn) return { state: 'logged_in', user: status.user };
    }
    try {
      return await this.start(mode);
    } catch (error) {
      const body = errorBody(error);
      return failed(body.code, body.message);
    }
  }

  private async startNew(mode: LoginMode): Promise<PendingLoginAnswer> {
    const config = await this.provider();
    const deviceSupported = Boolean(config.serverMetadata().device_authorization_endpoint);
    const chosen = mode === 'auto' ? (!this.hasDisplay() && deviceSupported ? 'device' : 'browser') : mode;
    if (chosen === 'device') {
      if (!deviceSupported) {
        throw new SidecarError({
          code: 'ERR_DEVICE_UNSUPPORTED',
          message:
            `The provider ${this.settings.issuer} offers no device authorization; use the browser login ` +
            '(its URL can be opened on any machine and the final redirect URL pasted back).',
        });
      }
      return this.startDevice(config);
    }
    return this.startBrowser(config);
  }

  /**
   * Waits until the login `id` (default: the one running) ends, or `timeoutMs` passes; then answers
   * how it ended, or the login as it still runs. With no login to wait for, answers at once.
   */
  async wait(id: string | undefined, timeoutMs: number): Promise<LoginAnswer> {
    const pending = this.pending;
    if (!pending || (id !== undefined && pending.answer.id !== id)) {
      const ended = id === undefined ? undefined : this.ended.get(id);
      if (ended) return ended;
      const status = await this.tokens.status();
      if (status.loggedIn) return { state: 'logged_in', user: status.user };
      return failed(
        'ERR_LOGIN_NOT_RUNNING',
        id === undefined ? 'No login is running.' : `The login ${id} is not running (any more).`,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<LoginAnswer>((resolve) => {
      timer = setTimeout(() => resolve(pending.answer), timeoutMs);
    });
    try {
      return await Promise.race([pending.done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Paste fallback: the URL the browser was redirected to (it may have failed to load). */
  async completeFromPastedUrl(pasted: string): Promise<LoginAnswer> {
    const pending = this.pending;
    if (!pending?.complete) {
      throw new SidecarError({
        code: 'ERR_LOGIN_NOT_RUNNING',
        message: 'No browser login is waiting; start one with `cnpg-mcp login` first.',
      });
    }
    let url: URL;
    try {
      url = new URL(pasted.trim());
    } catch {
      throw invalidRequest(
        'url: expected the full redirect URL (http://127.0.0.1:PORT/callback?code=…&state=…)',
      );
    }
    if (!url.searchParams.has('state') || !(url.searchParams.has('code') || url.searchParams.has('error'))) {
      throw invalidRequest('url: the pasted URL has no code/error and state parameters');
    }
    const result = await pending.complete(url);
    if (result.status === 400 && this.pending === pending) {
      return failed(
        'ERR_LOGIN_FAILED',
        'the pasted URL does not belong to the login in progress (state mismatch)',
      );
    }
    return pending.done;
  }

  cancel(reason = 'login cancelled'): void {
    this.pending?.finish(failed('ERR_LOGIN_CANCELLED', reason));
  }

  /**
   * Registers `answer` as the running login until it ends: finished by the flow, by a timeout at
   * `answer.expiresAt`, or cancelled. `cleanup` closes what the flow holds (listener, polling).
   */
  private begin(
    answer: PendingLoginAnswer,
    cleanup: () => void | Promise<void>,
  ): { finish: (outcome: FinalLoginAnswer) => void; pending: PendingLogin } {
    let resolveDone!: (outcome: FinalLoginAnswer) => void;
    const done = new Promise<FinalLoginAnswer>((resolve) => {
      resolveDone = resolve;
    });
    const lifetimeMs = Date.parse(answer.expiresAt) - Date.now();
    const timer = setTimeout(
      () =>
        finish(
          failed(
            'ERR_LOGIN_TIMEOUT',
            `nobody finished the login before it expired (after ${Math.round(lifetimeMs / 1000)} s)`,
          ),
        ),
      lifetimeMs,
    );
    timer.unref();
    let finished = false;
    const finish = (outcome: FinalLoginAnswer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (this.pending === pending) this.pending = undefined;
      this.ended.set(answer.id, outcome);
      if (this.ended.size > REMEMBERED_OUTCOMES) this.ended.delete(this.ended.keys().next().value as string);
      this.log(outcome.state === 'logged_in' ? 'login completed' : `login failed: ${outcome.message}`);
      Promise.resolve(cleanup()).catch(() => {});
      resolveDone(outcome);
    };
    const pending: PendingLogin = { answer, done, finish };
    this.pending = pending;
    return { finish, pending };
  }

  private expiresAt(seconds: number): string {
    return new Date(Date.now() + seconds * 1000).toISOString();
  }

  private async startBrowser(config: oidc.Configuration): Promise<PendingLoginAnswer> {
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const wantsIdToken = this.settings.scopes.split(' ').includes('openid');
    let exchanging = false;
    let finishLogin: ((outcome: FinalLoginAnswer) => void) | undefined;

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
        finish(failed('ERR_LOGIN_FAILED', message));
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
        finish({ state: 'logged_in', user });
        const who = user?.email ?? user?.name ?? user?.sub;
        return page(
          200,
          'Logged in',
          `cnpg-mcp is logged in${who ? ` as ${who}` : ''}. You can close this tab.`,
        );
      } catch (error) {
        const message = `the code exchange failed: ${describeOidcError(error)}`;
        finish(failed('ERR_LOGIN_FAILED', message));
        return page(400, 'Login failed', message);
      }
    };

    const listener: CallbackListener = await listenForCallback(this.settings.callbackPort, complete);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: listener.redirectUri,
      response_type: 'code',
      scope: this.settings.scopes,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      ...resourceParameters(this.settings),
    });
    const answer: PendingLoginAnswer = {
      state: 'browser',
      id: randomUUID(),
      url: url.href,
      redirectUri: listener.redirectUri,
      expiresAt: this.expiresAt(this.settings.loginTimeoutSeconds),
    };
    const { finish, pending } = this.begin(answer, () => listener.close());
    finishLogin = finish;
    pending.complete = complete;
    this.log(`browser login started; callback listening on ${listener.redirectUri}`);
    return answer;
  }

  /**
   * Device authorization, polled until the person approves. The code is handed out only while
   * the provider still accepts it: its own expiry bounds the login, and a code the provider
   * reports expired or denied ends the login at once, so the next call starts a fresh one.
   */
  private async startDevice(config: oidc.Configuration): Promise<PendingLoginAnswer> {
    const response = await oidc.initiateDeviceAuthorization(config, {
      scope: this.settings.scopes,
      ...resourceParameters(this.settings),
    });
    const abort = new AbortController();
    const answer: PendingLoginAnswer = {
      state: 'device',
      id: randomUUID(),
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete,
      userCode: response.user_code,
      expiresAt: this.expiresAt(Math.min(response.expires_in, this.settings.loginTimeoutSeconds)),
    };
    const { finish } = this.begin(answer, () => abort.abort());
    oidc
      .pollDeviceAuthorizationGrant(config, response, resourceParameters(this.settings), {
        signal: abort.signal,
      })
      .then(async (tokens) => {
        const user = await this.tokens.acceptLogin(tokens, Date.now());
        finish({ state: 'logged_in', user });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const expired = error instanceof oidc.ResponseBodyError && error.error === 'expired_token';
        finish(
          failed(
            expired ? 'ERR_LOGIN_TIMEOUT' : 'ERR_LOGIN_FAILED',
            `device login failed: ${describeOidcError(error)}`,
          ),
        );
      });
    this.log('device login started');
    return answer;
  }
}
