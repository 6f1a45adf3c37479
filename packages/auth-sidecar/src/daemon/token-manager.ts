import { join } from 'node:path';
import * as oidc from 'openid-client';
import {
  isSidecarError,
  type LoginRequiredReason,
  type LoginUser,
  type LogoutResponse,
  SidecarError,
} from '../api.js';
import { withLock } from '../lock.js';
import { ensurePrivateRuntimeDir, shortHash } from '../paths.js';
import type { Logger } from '../redact.js';
import type { Settings } from '../settings.js';
import { describeOidcError, isInvalidGrant, resourceParameters } from './oidc/provider.js';
import type { StoredLogin, TokenStore } from './store/types.js';

export type Tokens = oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

export interface AccessToken {
  token: string;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** When it was obtained, ms since the epoch (the refresh margin is capped at half the lifetime). */
  obtainedAt: number;
}

/** No usable login: the caller must ask the person to log in (never done silently). */
export function loginRequired(reason: LoginRequiredReason, message: string): SidecarError {
  return new SidecarError({ code: 'ERR_LOGIN_REQUIRED', reason, message });
}

export interface TokenManagerOptions {
  settings: Settings;
  store: TokenStore;
  /** Discovered provider configuration, resolved lazily (discovery needs the network). */
  provider: () => Promise<oidc.Configuration>;
  log: Logger;
}

export interface TokenStatus {
  loggedIn: boolean;
  user?: LoginUser;
  accessTokenExpiresAt?: string;
  storeError?: string;
}

function userFromClaims(claims: Record<string, unknown> | undefined): LoginUser | undefined {
  if (typeof claims?.sub !== 'string') return undefined;
  return {
    sub: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    name: typeof claims.name === 'string' ? claims.name : undefined,
  };
}

/** The payload of a JWT, unverified: only ever used to show who is logged in. */
function unverifiedJwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who logged in: the ID token's claims, else (a refresh answered without an ID token) the access
 * token's, for display only; the remote API is what verifies who someone is.
 */
function userFrom(tokens: Tokens): LoginUser | undefined {
  return userFromClaims(tokens.claims()) ?? userFromClaims(unverifiedJwtClaims(tokens.access_token));
}

/**
 * Owns the tokens of one identity. The access token lives only in memory with an absolute expiry.
 * Refreshes run single-flight in the process and, across processes, under a lock file in the
 * runtime directory around read → refresh → write, re-reading the store once the lock is held, so a
 * rotated refresh token is never presented twice.
 */
export class TokenManager {
  private current: AccessToken | undefined;
  private refreshing: Promise<AccessToken> | undefined;
  /** A rotated refresh token the store refused to save: used (and saved) first next time. */
  private unsaved: StoredLogin | undefined;
  private readonly lockPath: string;
  private readonly settings: Settings;
  private readonly store: TokenStore;
  private readonly provider: () => Promise<oidc.Configuration>;
  private readonly log: Logger;
  private lastUser: LoginUser | undefined;

  constructor(options: TokenManagerOptions) {
    this.settings = options.settings;
    this.store = options.store;
    this.provider = options.provider;
    this.log = options.log;
    const s = options.settings;
    this.lockPath = join(
      s.runtimeDir,
      `refresh-${shortHash(s.issuer, s.clientId, s.audience, s.resource)}.lock`,
    );
  }

  get storeKind(): TokenStore['kind'] {
    return this.store.kind;
  }

  private loginRequiredMessage(): string {
    if (this.store.kind === 'env') {
      return (
        `No valid refresh token for ${this.settings.issuer}: provide a fresh one in CNPG_MCP_REFRESH_TOKEN or ` +
        'CNPG_MCP_REFRESH_TOKEN_FILE, or run `cnpg-mcp login --device`.'
      );
    }
    return `Not logged in to ${this.settings.issuer}: run \`cnpg-mcp login\` (or \`cnpg-mcp login --device\` without a browser).`;
  }

  private isFresh(token: AccessToken, now: number): boolean {
    const lifetime = token.expiresAt - token.obtainedAt;
    const margin = Math.min(this.settings.refreshAheadSeconds * 1000, lifetime / 2);
    return now < token.expiresAt - margin;
  }

  /** A valid access token, refreshed ahead of expiry when needed. Throws ERR_LOGIN_REQUIRED. */
  async accessToken(): Promise<AccessToken> {
    const current = this.current;
    if (current && this.isFresh(current, Date.now())) return current;
    try {
      return await this.refresh();
    } catch (error) {
      // A transient failure (network, provider down) while the old token still works is not fatal.
      if (!isSidecarError(error, 'ERR_LOGIN_REQUIRED') && current && Date.now() < current.expiresAt) {
        this.log(
          `refresh failed, using the current access token until it expires: ${describeOidcError(error)}`,
        );
        return current;
      }
      throw error;
    }
  }

  /**
   * The remote rejected `rejected` (401). Refreshes once — unless another request already replaced
   * that token, in which case the newer one is returned without another refresh.
   */
  async refreshAfterRejection(rejected: string): Promise<AccessToken> {
    if (this.refreshing) return this.refreshing;
    if (this.current && this.current.token !== rejected) return this.current;
    this.current = undefined;
    return this.refresh();
  }

  private refresh(): Promise<AccessToken> {
    this.refreshing ??= this.refreshUnderLock().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshUnderLock(): Promise<AccessToken> {
    await ensurePrivateRuntimeDir(this.settings.runtimeDir);
    return withLock(this.lockPath, async () => {
      // The store first: without a login the answer is "log in", whatever the network does.
      const stored = this.unsaved ?? (await this.store.load());
      if (!stored) throw loginRequired('not_logged_in', this.loginRequiredMessage());
      const config = await this.provider();
      const started = Date.now();
      let tokens: Tokens;
      try {
        tokens = await oidc.refreshTokenGrant(config, stored.refreshToken, resourceParameters(this.settings));
      } catch (error) {
        if (isInvalidGrant(error)) {
          this.current = undefined;
          this.unsaved = undefined;
          await this.store.clear();
          this.log(`refresh token rejected (invalid_grant); cleared it from the ${this.store.kind} store`);
          throw loginRequired(
            'invalid_grant',
            `The stored login was rejected by the provider (invalid_grant: expired, revoked or reused). ${this.loginRequiredMessage()}`,
          );
        }
        throw new SidecarError({
          code: 'ERR_PROVIDER_FAILED',
          message: `Token refresh at ${this.settings.issuer} failed: ${describeOidcError(error)}`,
        });
      }
      await this.persist({
        refreshToken: tokens.refresh_token ?? stored.refreshToken,
        scope: tokens.scope ?? stored.scope,
        user: userFrom(tokens) ?? stored.user,
        savedAt: new Date().toISOString(),
      });
      this.current = this.accessTokenFrom(tokens, started);
      this.log(`access token refreshed, expires ${new Date(this.current.expiresAt).toISOString()}`);
      return this.current;
    });
  }

  private async persist(login: StoredLogin): Promise<void> {
    this.lastUser = login.user;
    try {
      await this.store.save(login);
      this.unsaved = undefined;
    } catch (error) {
      this.unsaved = login;
      this.log(`could not save the rotated refresh token (kept in memory): ${(error as Error).message}`);
    }
  }

  private accessTokenFrom(tokens: Tokens, obtainedAt: number): AccessToken {
    const lifetime = (tokens.expires_in ?? 300) * 1000;
    return { token: tokens.access_token, obtainedAt, expiresAt: obtainedAt + lifetime };
  }

  /** Stores the result of a completed login (authorization code or device grant). */
  async acceptLogin(tokens: Tokens, obtainedAt: number): Promise<LoginUser | undefined> {
    if (!tokens.refresh_token) {
      this.log(
        'the provider returned no refresh token (is offline_access in scopes?); login lasts one access token',
      );
    }
    const user = userFrom(tokens);
    await ensurePrivateRuntimeDir(this.settings.runtimeDir);
    await withLock(this.lockPath, async () => {
      if (tokens.refresh_token) {
        await this.persist({
          refreshToken: tokens.refresh_token,
          scope: tokens.scope,
          user,
          savedAt: new Date().toISOString(),
        });
      } else {
        this.lastUser = user;
      }
      this.current = this.accessTokenFrom(tokens, obtainedAt);
    });
    return user;
  }

  async status(): Promise<TokenStatus> {
    const current = this.current && Date.now() < this.current.expiresAt ? this.current : undefined;
    try {
      const stored = this.unsaved ?? (await this.store.load());
      return {
        loggedIn: Boolean(stored) || Boolean(current),
        user: stored?.user ?? this.lastUser,
        accessTokenExpiresAt: current ? new Date(current.expiresAt).toISOString() : undefined,
      };
    } catch (error) {
      return {
        loggedIn: Boolean(current),
        user: this.lastUser,
        accessTokenExpiresAt: current ? new Date(current.expiresAt).toISOString() : undefined,
        storeError: (error as Error).message,
      };
    }
  }

  /** Revokes the refresh token at the provider (RFC 7009), then deletes it from the store. */
  async logout(): Promise<LogoutResponse> {
    await ensurePrivateRuntimeDir(this.settings.runtimeDir);
    return withLock(this.lockPath, async () => {
      const stored = this.unsaved ?? (await this.store.load());
      this.current = undefined;
      this.unsaved = undefined;
      this.lastUser = undefined;
      if (!stored) return { revoked: false, hadLogin: false };
      let revocationError: string | undefined;
      try {
        const config = await this.provider();
        await oidc.tokenRevocation(config, stored.refreshToken, { token_type_hint: 'refresh_token' });
      } catch (error) {
        revocationError = describeOidcError(error);
        this.log(`revocation failed (the token is still deleted locally): ${revocationError}`);
      }
      await this.store.clear();
      return { revoked: revocationError === undefined, hadLogin: true, revocationError };
    });
  }
}
