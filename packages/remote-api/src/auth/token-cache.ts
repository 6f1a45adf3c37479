import { createHash } from 'node:crypto';
import { AuthError, type VerifiedToken, type VerifierOptions, verifyAccessToken } from './verify.js';

export interface TokenCacheOptions {
  /** Most tokens kept; the oldest entry goes first when full. 0 turns the cache off. */
  maxEntries: number;
  clockToleranceSeconds: number;
  /** Seconds since the epoch (tests move it). */
  now?: () => number;
}

interface Entry {
  verified: VerifiedToken;
  /** `exp` plus the clock tolerance: past this the entry is refused and dropped. */
  usableUntil: number;
}

/** What a hit must still match: the token's audience and issuer, checked on every request. */
export interface HitChecks {
  issuer: string;
  audiences: readonly string[];
}

const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');
const normaliseIssuer = (issuer: string) => issuer.replace(/\/+$/, '');

/**
 * Tokens that passed full verification (signature, issuer, audience, times), keyed by the SHA-256
 * of the token so the cache holds no bearer token. A hit is only the same token again: any forged,
 * altered or other token has another key and is verified in full. Each hit still checks expiry,
 * issuer and audience (the caller checks scopes on every request). Emptied when the issuer's key
 * set changes; an entry verified under the previous key set is never added after that.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions) {
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached verification of this token, or undefined (never cached, expired, or dropped). */
  lookup(token: string, checks: HitChecks): VerifiedToken | undefined {
    if (this.options.maxEntries === 0) return undefined;
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.usableUntil) {
      this.entries.delete(key);
      throw new AuthError('expired', 'the token has expired');
    }
    const { claims } = entry.verified;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((audience) => typeof audience === 'string' && checks.audiences.includes(audience)))
      throw new AuthError('wrong_audience', `the token audience does not include ${checks.audiences[0]}`);
    if (normaliseIssuer(String(claims.iss)) !== normaliseIssuer(checks.issuer))
      throw new AuthError('wrong_issuer', `the token issuer is not ${checks.issuer}`);
    return entry.verified;
  }

  /** A marker taken before verifying; `remember` ignores the result if the key set changed since. */
  begin(): number {
    return this.generation;
  }

  remember(token: string, verified: VerifiedToken, begunAt: number): void {
    if (this.options.maxEntries === 0 || begunAt !== this.generation) return;
    const exp = verified.claims.exp;
    if (typeof exp !== 'number') return;
    const usableUntil = exp + this.options.clockToleranceSeconds;
    if (this.now() >= usableUntil) return;
    const key = keyOf(token);
    this.entries.delete(key);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { verified, usableUntil });
  }

  /** The issuer's keys changed: nothing verified under the old set is served again. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}

export interface CachingVerifierDeps {
  cache: VerifiedTokenCache;
  /** The verifier's settings for this request (audiences can depend on the public address). */
  options: () => VerifierOptions;
  /** Whether the issuer's keys are fresh: a stale key set sends every token through full verification (which refetches it). */
  keysFresh: () => boolean;
  onLookup?: (result: 'hit' | 'miss') => void;
}

/**
 * Verifies a bearer token, serving a token already verified from the cache. Opaque tokens checked by
 * introspection are not cached here (the introspector has its own short cache, so a revocation is seen).
 */
export function cachingVerifier(deps: CachingVerifierDeps): (token: string) => Promise<VerifiedToken> {
  return async (token) => {
    const options = deps.options();
    const hit = deps.keysFresh()
      ? deps.cache.lookup(token, {
          issuer: options.issuer,
          audiences: [options.audience, ...(options.alsoAcceptedAudiences ?? [])],
        })
      : undefined;
    deps.onLookup?.(hit ? 'hit' : 'miss');
    if (hit) return hit;
    const begunAt = deps.cache.begin();
    const verified = await verifyAccessToken(token, options);
    if (isCompactJws(token)) deps.cache.remember(token, verified, begunAt);
    return verified;
  };
}

const isCompactJws = (token: string) => token.split('.').length === 3;
