import type { LoginUser, StoreKind } from '../../api.js';

export type { LoginUser, StoreKind };

/** What a store keeps: the refresh token and a little metadata, never an access token. */
export interface StoredLogin {
  refreshToken: string;
  scope?: string;
  user?: LoginUser;
  savedAt: string;
}

export interface TokenStore {
  readonly kind: StoreKind;
  /** Where the token lives, for status output and messages (never the token itself). */
  readonly location: string;
  load(): Promise<StoredLogin | undefined>;
  save(login: StoredLogin): Promise<void>;
  clear(): Promise<void>;
}

/** The identity a stored login belongs to: one entry per (issuer, client id, audience/resource). */
export interface StoreIdentity {
  issuer: string;
  clientId: string;
  audience?: string;
  resource?: string;
}

export function accountName(identity: StoreIdentity): string {
  const target = identity.audience ?? identity.resource ?? '';
  return `${identity.issuer.replace(/\/+$/, '')}|${identity.clientId}|${target}`;
}

export function parseStoredLogin(text: string): StoredLogin | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.refreshToken !== 'string' || record.refreshToken === '') return undefined;
  const user = record.user as Record<string, unknown> | undefined;
  return {
    refreshToken: record.refreshToken,
    scope: typeof record.scope === 'string' ? record.scope : undefined,
    user:
      user && typeof user.sub === 'string'
        ? {
            sub: user.sub,
            email: typeof user.email === 'string' ? user.email : undefined,
            name: typeof user.name === 'string' ? user.name : undefined,
          }
        : undefined,
    savedAt: typeof record.savedAt === 'string' ? record.savedAt : new Date(0).toISOString(),
  };
}
