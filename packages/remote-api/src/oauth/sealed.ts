import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

/**
 * What the proxy keeps between requests lives in values it hands out, sealed (authenticated
 * encryption, JWE dir/A256GCM) with keys every replica shares: no replica remembers anything.
 * Each kind of value has its own purpose, so one can never be passed off as another.
 */
export type SealPurpose = 'client' | 'consent' | 'flow' | 'code' | 'refresh';

export class SealError extends Error {}

interface DerivedKey {
  kid: string;
  encryption: Uint8Array;
  mac: Buffer;
}

function derive(raw: Uint8Array): DerivedKey {
  const expand = (info: string) => Buffer.from(hkdfSync('sha256', raw, new Uint8Array(0), info, 32));
  return {
    kid: createHash('sha256').update(raw).digest('base64url').slice(0, 8),
    encryption: new Uint8Array(expand('cnpg-mcp oauth proxy: sealing')),
    mac: expand('cnpg-mcp oauth proxy: client secrets'),
  };
}

export class Sealer {
  private readonly keys: DerivedKey[];

  /** The first key seals; every key opens (rotation: add the new key first, drop the old one later). */
  constructor(rawKeys: Uint8Array[]) {
    if (rawKeys.length === 0) throw new Error('at least one key is needed');
    this.keys = rawKeys.map(derive);
  }

  async seal(purpose: SealPurpose, payload: object, ttlSeconds?: number): Promise<string> {
    const current = this.keys[0]!;
    const jwt = new EncryptJWT({ ...payload })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid })
      .setAudience(`cnpg-mcp:${purpose}`)
      .setIssuedAt();
    if (ttlSeconds !== undefined) jwt.setExpirationTime(`${ttlSeconds}s`);
    return jwt.encrypt(current.encryption);
  }

  /** Opens a value sealed for `purpose` (its own fields only); throws SealError when it is not one, was altered or expired. */
  async open<T extends object>(purpose: SealPurpose, value: string): Promise<T> {
    try {
      const { payload } = await jwtDecrypt(
        value,
        (header) => {
          const key = this.keys.find((candidate) => candidate.kid === header.kid);
          if (!key) throw new SealError('sealed with a key this server does not have');
          return key.encryption;
        },
        {
          audience: `cnpg-mcp:${purpose}`,
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        },
      );
      const { iat: _iat, exp: _exp, aud: _aud, ...sealed } = payload;
      return sealed as T;
    } catch (error) {
      if (error instanceof SealError) throw error;
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new SealError(expired ? 'it has expired' : 'it is not valid here');
    }
  }

  /** The secret of a confidential registered client: derived from its id, so nothing is stored. */
  clientSecret(clientId: string, key: DerivedKey = this.keys[0]!): string {
    return createHmac('sha256', key.mac).update(clientId).digest('base64url');
  }

  clientSecretMatches(clientId: string, presented: string): boolean {
    const given = Buffer.from(presented);
    return this.keys.some((key) => {
      const expected = Buffer.from(this.clientSecret(clientId, key));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }
}
