import { createRemoteJWKSet, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';

export interface JwksOptions {
  issuer: string;
  jwksUri: string | undefined;
  cooldownSeconds: number;
  cacheMaxAgeSeconds: number;
}

const FETCH_TIMEOUT_MS = 5000;

/** Finds the JWKS URI in the issuer's discovery document (OpenID Connect, then RFC 8414). */
export async function discoverJwksUri(issuer: string): Promise<string> {
  const base = issuer.replace(/\/+$/, '');
  const candidates = [
    `${base}/.well-known/openid-configuration`,
    `${base}/.well-known/oauth-authorization-server`,
  ];
  const failures: string[] = [];
  for (const url of candidates) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) {
        failures.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (typeof metadata.issuer === 'string' && metadata.issuer.replace(/\/+$/, '') !== base) {
        failures.push(`${url}: metadata issuer ${metadata.issuer} does not match ${issuer}`);
        continue;
      }
      if (typeof metadata.jwks_uri !== 'string') {
        failures.push(`${url}: no jwks_uri`);
        continue;
      }
      return metadata.jwks_uri;
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`JWKS discovery failed: ${failures.join('; ')}`);
}

/**
 * The issuer's signing keys: discovered (or configured) URI, cached by jose, refetched on an
 * unknown `kid` once the cooldown has passed, and when older than the cache max age. Listeners
 * hear when a fetch brings a different key set (a rotation), so what was verified under the old
 * keys can be forgotten.
 */
export class JwksSource {
  private keySet: RemoteJWKSet | undefined;
  private pending: Promise<RemoteJWKSet> | undefined;
  private lastDocument: unknown;
  private lastKeys: string | undefined;
  private readonly rotationListeners: Array<() => void> = [];

  constructor(private readonly options: JwksOptions) {}

  private async keySetOrDiscover(): Promise<RemoteJWKSet> {
    if (this.keySet) return this.keySet;
    this.pending ??= (async () => {
      const uri = this.options.jwksUri ?? (await discoverJwksUri(this.options.issuer));
      this.keySet = createRemoteJWKSet(new URL(uri), {
        cooldownDuration: this.options.cooldownSeconds * 1000,
        cacheMaxAge: this.options.cacheMaxAgeSeconds * 1000,
        timeoutDuration: FETCH_TIMEOUT_MS,
      });
      return this.keySet;
    })().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Key resolver for jose's jwtVerify. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await (await this.keySetOrDiscover())(header, token);
    } finally {
      this.noticeKeys();
    }
  };

  /** Whether the keys were fetched within the cache max age (otherwise the next verification refetches). */
  get fresh(): boolean {
    return this.keySet?.fresh ?? false;
  }

  /** Calls `listener` each time a fetch brings a key set other than the previous one. */
  onRotation(listener: () => void): void {
    this.rotationListeners.push(listener);
  }

  /** jose replaces its document on every fetch; a different set of keys is a rotation. */
  private noticeKeys(): void {
    const document = this.keySet?.jwks();
    if (document === undefined || document === this.lastDocument) return;
    this.lastDocument = document;
    const keys = JSON.stringify(document.keys.map((key) => JSON.stringify(key)).sort());
    const rotated = this.lastKeys !== undefined && keys !== this.lastKeys;
    this.lastKeys = keys;
    if (rotated) for (const listener of this.rotationListeners) listener();
  }

  /** Readiness: keys were fetched and are fresh, or a refetch succeeds now. */
  async ready(): Promise<{ ok: boolean; detail: string }> {
    try {
      const keySet = await this.keySetOrDiscover();
      if (keySet.jwks() === undefined || !keySet.fresh) await keySet.reload();
      this.noticeKeys();
      const count = keySet.jwks()?.keys.length ?? 0;
      return count > 0 ? { ok: true, detail: `${count} keys` } : { ok: false, detail: 'JWKS has no keys' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }
}
