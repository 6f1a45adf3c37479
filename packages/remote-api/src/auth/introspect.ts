import { createHash } from 'node:crypto';
import { AuthError, scopesOf, type VerifiedToken } from './verify.js';

export interface IntrospectionOptions {
  issuer: string;
  audience: string;
  endpoint: string | undefined;
  clientId: string;
  clientSecret: string;
  cacheSeconds: number;
  requireAudience: boolean;
}

const MAX_CACHE_ENTRIES = 10_000;
const TIMEOUT_MS = 5000;

interface CacheEntry {
  until: number;
  result: VerifiedToken | AuthError;
}

/**
 * RFC 7662 introspection for opaque access tokens (off by default). Answers are cached for a
 * short time by the token's SHA-256, never by the token itself.
 */
export class Introspector {
  private readonly cache = new Map<string, CacheEntry>();
  private endpoint: string | undefined;

  constructor(private readonly options: IntrospectionOptions) {
    this.endpoint = options.endpoint;
  }

  private async resolveEndpoint(): Promise<string> {
    if (this.endpoint) return this.endpoint;
    const base = this.options.issuer.replace(/\/+$/, '');
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(
        () => undefined,
      );
      if (!response?.ok) continue;
      const metadata = (await response.json()) as { introspection_endpoint?: unknown };
      if (typeof metadata.introspection_endpoint === 'string') {
        this.endpoint = metadata.introspection_endpoint;
        return this.endpoint;
      }
    }
    throw new AuthError(
      'jwks_unavailable',
      'the issuer has no introspection endpoint reachable right now',
      503,
    );
  }

  async check(token: string): Promise<VerifiedToken> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) {
      if (cached.result instanceof AuthError) throw cached.result;
      return cached.result;
    }
    const result = await this.introspect(token).catch((error: unknown) => {
      if (error instanceof AuthError && error.status === 503) throw error;
      return error instanceof AuthError ? error : new AuthError('invalid_claims', 'introspection failed');
    });
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
    const exp = result instanceof AuthError ? Number.POSITIVE_INFINITY : Number(result.claims.exp) * 1000;
    this.cache.set(key, { until: Math.min(Date.now() + this.options.cacheSeconds * 1000, exp), result });
    if (result instanceof AuthError) throw result;
    return result;
  }

  private async introspect(token: string): Promise<VerifiedToken> {
    const endpoint = await this.resolveEndpoint();
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${basic}`,
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new AuthError(
        'jwks_unavailable',
        'the introspection endpoint cannot be reached right now; try again',
        503,
      );
    }
    if (!response.ok) {
      throw new AuthError(
        'jwks_unavailable',
        `the introspection endpoint answered HTTP ${response.status}`,
        503,
      );
    }
    const claims = (await response.json()) as Record<string, unknown>;
    if (claims.active !== true)
      throw new AuthError('invalid_claims', 'the token is not active (introspection)');
    const issuer = this.options.issuer.replace(/\/+$/, '');
    if (typeof claims.iss === 'string' && claims.iss.replace(/\/+$/, '') !== issuer) {
      throw new AuthError('wrong_issuer', `the token issuer is not ${this.options.issuer}`);
    }
    const audiences =
      typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (audiences.length === 0 ? this.options.requireAudience : !audiences.includes(this.options.audience)) {
      throw new AuthError('wrong_audience', `the token audience does not include ${this.options.audience}`);
    }
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now())
      throw new AuthError('expired', 'the token has expired');
    if (typeof claims.sub !== 'string' || claims.sub === '')
      throw new AuthError('invalid_claims', 'the token has no subject');
    return {
      claims: { ...claims, iss: claims.iss ?? this.options.issuer } as VerifiedToken['claims'],
      scopes: scopesOf(claims),
    };
  }
}
