import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/**
 * In-memory storage for one provider. oidc-provider's own memory adapter is a process-wide LRU
 * shared by every instance; this one belongs to a single devstack provider and survives the
 * Provider re-creation that a signing-key rotation needs.
 */
export class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  private readonly grants = new Map<string, Set<string>>();
  private readonly sessionsByUid = new Map<string, string>();
  private readonly byUserCode = new Map<string, string>();

  adapterFor(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        this.set(key(id), payload, expiresIn);
        if (model === 'Session' && payload.uid) this.sessionsByUid.set(payload.uid, id);
        if (payload.userCode) this.byUserCode.set(payload.userCode, id);
        if (GRANTABLE.has(model) && payload.grantId) {
          const members = this.grants.get(payload.grantId) ?? new Set<string>();
          members.add(key(id));
          this.grants.set(payload.grantId, members);
        }
      },
      find: async (id) => this.get(key(id)),
      findByUid: async (uid) => {
        const id = this.sessionsByUid.get(uid);
        return id === undefined ? undefined : this.get(key(id));
      },
      findByUserCode: async (userCode) => {
        const id = this.byUserCode.get(userCode);
        return id === undefined ? undefined : this.get(key(id));
      },
      consume: async (id) => {
        const entry = this.entries.get(key(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const member of this.grants.get(grantId) ?? []) this.entries.delete(member);
        this.grants.delete(grantId);
      },
    };
  }

  private set(storeKey: string, payload: AdapterPayload, expiresIn: number): void {
    this.entries.set(storeKey, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
  }

  private get(storeKey: string): AdapterPayload | undefined {
    const entry = this.entries.get(storeKey);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.entries.delete(storeKey);
      return undefined;
    }
    return entry.payload;
  }
}
