/**
 * The JWT attack corpus: every forged, altered or misdirected token must be refused with the
 * right status and RFC 6750 challenge, and no tool may run (the audit log stays empty). The
 * verified-token caches are warm (valid tokens, the real one included, were served from them)
 * and no attack token is ever a cache hit.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CompactEncrypt,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { type DevOidc, loginForTokens } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { parseChallenge, postMcp, unreachableKubeconfig } from '../support/support.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'https://cnpg-mcp.test/api';
const KID = 'trusted-key';

const whoamiCall = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
const encoder = new TextEncoder();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let trusted: KeyPair;
let attacker: KeyPair;
let attackerEc: KeyPair;
let jwksServer: Server;
let stack: LocalStack;
let claimsApi: StackApi;
let oidc: DevOidc;
let providerApi: StackApi;
let realToken: string;
const kubeconfig = unreachableKubeconfig();
const startApi = (env: Record<string, string>) => stack.startApi({ env });

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'auth0|attacker',
    email: 'mallory@example.com',
    name: 'Mallory',
    scope: 'mcp:read mcp:write',
    iat: now(),
    exp: now() + 300,
    ...overrides,
  };
}

function signTrusted(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt', ...header })
    .sign(trusted.privateKey);
}

async function serveJwks(keys: JWK[]): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface Refusal {
  status: number;
  error?: string;
  description?: RegExp;
}

const cacheHits = (api: StackApi) => api.metrics.tokenCache.get({ result: 'hit' });

async function expectRefused(api: StackApi, authorization: string | undefined, expected: Refusal) {
  const auditBefore = api.audit.lines.length;
  const hitsBefore = cacheHits(api);
  const response = await postMcp(api, whoamiCall, authorization);
  assert.equal(cacheHits(api), hitsBefore, 'the attack token was not served from the token cache');
  const body = await response.text();
  assert.equal(response.status, expected.status, `status for ${authorization?.slice(0, 60)}: ${body}`);
  const challenge = parseChallenge(response.headers.get('www-authenticate'));
  assert.equal(challenge.resource_metadata, `${api.url}/.well-known/oauth-protected-resource/mcp`);
  assert.equal(challenge.error, expected.error);
  if (expected.description) assert.match(challenge.error_description ?? '', expected.description);
  assert.equal(api.audit.lines.length, auditBefore, 'no tool ran');
  assert.doesNotMatch(body, /mallory|auth0\|attacker/i, 'nothing about the forged identity is echoed');
}

async function expectAccepted(api: StackApi, authorization: string) {
  const response = await postMcp(api, whoamiCall, authorization);
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(await response.text(), /userId/);
}

before(async () => {
  trusted = await generateKeyPair('RS256', { extractable: true });
  attacker = await generateKeyPair('RS256', { extractable: true });
  attackerEc = await generateKeyPair('ES256', { extractable: true });
  jwksServer = await serveJwks([
    { ...(await exportJWK(trusted.publicKey)), kid: KID, alg: 'RS256', use: 'sig' },
  ]);
  stack = await startLocalStack({ remoteApi: false });
  claimsApi = await startApi({
    OIDC_ISSUER: ISSUER,
    OIDC_AUDIENCE: AUDIENCE,
    OIDC_JWKS_URI: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
    KUBECONFIG: kubeconfig,
  });
  oidc = stack.oidc;
  providerApi = await startApi({
    OIDC_ISSUER: oidc.issuer,
    OIDC_AUDIENCE: oidc.audience,
    KUBECONFIG: kubeconfig,
  });
  realToken = (await loginForTokens(oidc, { username: 'alice' })).access_token;
  // Warm the verified-token caches: each valid token is verified once, then served from the cache.
  const trustedToken = await signTrusted(claims({ sub: 'auth0|warm' }));
  for (const [api, token] of [
    [claimsApi, trustedToken],
    [providerApi, realToken],
  ] as const) {
    await expectAccepted(api, `Bearer ${token}`);
    await expectAccepted(api, `Bearer ${token}`);
    assert.equal(cacheHits(api), 1, 'the second request was a cache hit');
  }
});

after(async () => {
  await claimsApi.close();
  await providerApi.close();
  await stack.close();
  jwksServer.closeAllConnections();
  jwksServer.close();
});

const invalidToken = (description?: RegExp): Refusal => ({
  status: 401,
  error: 'invalid_token',
  ...(description ? { description } : {}),
});

describe('baseline', () => {
  test('a well-formed token from the trusted key is accepted', async () => {
    await expectAccepted(claimsApi, `Bearer ${await signTrusted(claims())}`);
  });
  test('a real token from the devstack login is accepted', async () => {
    await expectAccepted(providerApi, `Bearer ${realToken}`);
  });
});

describe('signature and key attacks', () => {
  test('1 alg none', async () => {
    const token = new UnsecuredJWT(claims()).encode();
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken(/algorithm/));
  });

  test('2 alg none with a signature part appended', async () => {
    const token = `${new UnsecuredJWT(claims()).encode()}c2lnbmF0dXJl`;
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
  });

  test('3 HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const publicPem = await exportSPKI(trusted.publicKey);
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .sign(encoder.encode(publicPem));
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken(/algorithm/));
  });

  test('4 HS256 signed with the provider JWK modulus as the secret', async () => {
    const jwks = (await (await fetch(`${oidc.issuer}/jwks`)).json()) as {
      keys: Array<{ n: string; kid: string }>;
    };
    const key = jwks.keys[0]!;
    const token = await new SignJWT({ ...claims({ iss: oidc.issuer, aud: oidc.audience }) })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .sign(encoder.encode(key.n));
    await expectRefused(providerApi, `Bearer ${token}`, invalidToken(/algorithm/));
  });

  test('5 signed by an unknown key with an unknown kid', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'unknown-kid' })
      .sign(attacker.privateKey);
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
  });

  test('6 signed by an attacker key that reuses the trusted kid', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .sign(attacker.privateKey);
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken(/signature/));
  });

  test('7 injected kid (path traversal and SQL)', async () => {
    for (const kid of ['../../../../dev/null', "x' OR '1'='1", `${KID}\u0000`]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign(attacker.privateKey);
      await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
    }
  });

  test('8 jku header pointing at the attacker key set', async () => {
    const evil = await serveJwks([{ ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256' }]);
    try {
      const jku = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/jwks`;
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid: 'evil', jku })
        .sign(attacker.privateKey);
      await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
    } finally {
      evil.closeAllConnections();
      evil.close();
    }
  });

  test('9 x5u header', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'x5u', x5u: 'http://127.0.0.1:9/cert.pem' })
      .sign(attacker.privateKey);
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
  });

  test('10 embedded jwk header with the attacker public key', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(attacker.publicKey) })
      .sign(attacker.privateKey);
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
  });

  test('11 ES256 token presented under the RSA kid', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: KID })
      .sign(attackerEc.privateKey);
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
  });

  test('12 tampered payload of a real token', async () => {
    const [header, payload, signature] = realToken.split('.');
    const forged = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'devstack|admin' };
    await expectRefused(
      providerApi,
      `Bearer ${header}.${b64(forged)}.${signature}`,
      invalidToken(/signature/),
    );
  });

  test('13 tampered signature of a real token', async () => {
    const [header, payload, signature] = realToken.split('.');
    const flipped = Buffer.from(signature!, 'base64url');
    flipped[10] = (flipped[10] ?? 0) ^ 0xff;
    await expectRefused(
      providerApi,
      `Bearer ${header}.${payload}.${flipped.toString('base64url')}`,
      invalidToken(/signature/),
    );
  });

  test('14 truncated real token (no signature)', async () => {
    const [header, payload] = realToken.split('.');
    await expectRefused(providerApi, `Bearer ${header}.${payload}.`, invalidToken());
    await expectRefused(providerApi, `Bearer ${header}.${payload}`, invalidToken());
  });

  test('15 crit header naming an unknown extension', async () => {
    // jose refuses to sign an unknown critical extension, so the token is assembled by hand.
    const signingInput = `${b64({ alg: 'RS256', kid: KID, crit: ['x-evil'], 'x-evil': true })}.${b64(claims())}`;
    const signature = await crypto.subtle.sign(
      'RSASSA-PKCS1-v1_5',
      trusted.privateKey,
      encoder.encode(signingInput),
    );
    const token = `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken());
  });

  test('16 a token signed by a key the provider rotated out', async () => {
    const oldToken = (await loginForTokens(oidc, { username: 'bob' })).access_token;
    await oidc.rotateSigningKey({ keepPrevious: false });
    const freshApi = await startApi({
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: oidc.audience,
      KUBECONFIG: kubeconfig,
    });
    try {
      await expectRefused(freshApi, `Bearer ${oldToken}`, invalidToken());
      const newToken = (await loginForTokens(oidc, { username: 'bob' })).access_token;
      await expectAccepted(freshApi, `Bearer ${newToken}`);
    } finally {
      await freshApi.close();
    }
  });
});

describe('claim attacks', () => {
  test('17 expired', async () => {
    const token = await signTrusted(claims({ iat: now() - 7200, exp: now() - 3600 }));
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken(/expired/));
  });

  test('18 nbf in the future', async () => {
    await expectRefused(
      claimsApi,
      `Bearer ${await signTrusted(claims({ nbf: now() + 3600 }))}`,
      invalidToken(/nbf|not valid yet/),
    );
  });

  test('19 iat far in the future', async () => {
    const token = await signTrusted(claims({ iat: now() + 86400, exp: now() + 90000 }));
    await expectRefused(claimsApi, `Bearer ${token}`, invalidToken(/iat|future/));
  });

  test('20 missing exp', async () => {
    const payload = claims();
    delete payload.exp;
    await expectRefused(claimsApi, `Bearer ${await signTrusted(payload)}`, invalidToken(/exp/));
  });

  test('21 missing sub', async () => {
    const payload = claims();
    delete payload.sub;
    await expectRefused(claimsApi, `Bearer ${await signTrusted(payload)}`, invalidToken(/sub/));
  });

  test('22 wrong issuer', async () => {
    await expectRefused(
      claimsApi,
      `Bearer ${await signTrusted(claims({ iss: 'https://evil.test/' }))}`,
      invalidToken(/issuer/),
    );
  });

  test('23 issuer tricks: case, prefix, extra path, userinfo', async () => {
    for (const iss of [
      'https://ISSUER.test/',
      'https://issuer.test.evil.test/',
      'https://issuer.test/evil/',
      'https://issuer.test@evil.test/',
      'http://issuer.test/',
      'https://issuer.test//',
    ]) {
      await expectRefused(claimsApi, `Bearer ${await signTrusted(claims({ iss }))}`, invalidToken(/issuer/));
    }
  });

  test('24 issuer without the trailing slash is the same issuer (normalisation)', async () => {
    await expectAccepted(claimsApi, `Bearer ${await signTrusted(claims({ iss: 'https://issuer.test' }))}`);
  });

  test('25 wrong audience', async () => {
    await expectRefused(
      claimsApi,
      `Bearer ${await signTrusted(claims({ aud: 'https://other.test/api' }))}`,
      invalidToken(/audience/),
    );
  });

  test('26 audience array without ours; with ours it is accepted', async () => {
    const without = await signTrusted(
      claims({ aud: ['https://other.test/api', 'https://issuer.test/userinfo'] }),
    );
    await expectRefused(claimsApi, `Bearer ${without}`, invalidToken(/audience/));
    await expectAccepted(
      claimsApi,
      `Bearer ${await signTrusted(claims({ aud: ['https://other.test/api', AUDIENCE] }))}`,
    );
  });

  test('27 missing scope: 403 insufficient_scope naming the scope', async () => {
    const token = await signTrusted(claims({ scope: 'openid profile' }));
    await expectRefused(claimsApi, `Bearer ${token}`, {
      status: 403,
      error: 'insufficient_scope',
      description: /mcp:read/,
    });
  });

  test('28 an opaque token from a login without audience', async () => {
    const opaque = (await loginForTokens(oidc, { username: 'alice', audience: null })).access_token;
    await expectRefused(providerApi, `Bearer ${opaque}`, invalidToken(/audience/));
  });
});

describe('format and transport attacks', () => {
  test('29 JWE (five parts) is refused with a message about the audience', async () => {
    const jwe = await new CompactEncrypt(encoder.encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(crypto.getRandomValues(new Uint8Array(32)));
    await expectRefused(claimsApi, `Bearer ${jwe}`, invalidToken(/audience/));
  });

  test('30 oversized token: refused before parsing; past the header limit Node answers 431', async () => {
    const big = await signTrusted(claims({ padding: 'x'.repeat(9000) }));
    await expectRefused(claimsApi, `Bearer ${big}`, invalidToken(/larger than/));
    const huge = await signTrusted(claims({ padding: 'x'.repeat(20000) }));
    const auditBefore = claimsApi.audit.lines.length;
    const response = await postMcp(claimsApi, whoamiCall, `Bearer ${huge}`);
    assert.equal(response.status, 431);
    assert.equal(claimsApi.audit.lines.length, auditBefore);
  });

  test('31 non-JSON segments', async () => {
    const token = await signTrusted(claims());
    const [, payload, signature] = token.split('.');
    await expectRefused(
      claimsApi,
      `Bearer ${Buffer.from('not json').toString('base64url')}.${payload}.${signature}`,
      invalidToken(),
    );
    await expectRefused(
      claimsApi,
      `Bearer ${b64({ alg: 'RS256', kid: KID })}.bm90IGpzb24.${signature}`,
      invalidToken(),
    );
  });

  test('32 token in the query string is not accepted', async () => {
    const token = await signTrusted(claims());
    const url = new URL(claimsApi.mcpUrl);
    url.searchParams.set('access_token', token);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(whoamiCall),
    });
    assert.equal(response.status, 401);
    assert.equal(parseChallenge(response.headers.get('www-authenticate')).error, undefined);
  });

  test('33 no Authorization header: 401 with a bare challenge', async () => {
    await expectRefused(claimsApi, undefined, { status: 401 });
  });

  test('34 other schemes and malformed Bearer values', async () => {
    const token = await signTrusted(claims());
    for (const header of [
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Token ${token}`,
      'Bearer',
      `Bearer ${token} extra`,
    ]) {
      await expectRefused(claimsApi, header, { status: 401, error: 'invalid_request' });
    }
  });

  test('35 a lowercase scheme is the same scheme (RFC 7235: case-insensitive)', async () => {
    await expectAccepted(claimsApi, `bearer ${await signTrusted(claims())}`);
  });

  test('36 two Authorization headers are refused, not resolved by picking one', async () => {
    const good = await signTrusted(claims());
    const status = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify(whoamiCall);
      const req = httpRequest(
        claimsApi.mcpUrl,
        {
          method: 'POST',
          headers: [
            'content-type',
            'application/json',
            'accept',
            'application/json, text/event-stream',
            'authorization',
            `Bearer ${good}`,
            'authorization',
            'Bearer forged.token.value',
            'content-length',
            String(Buffer.byteLength(body)),
          ],
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.ok(status === 400 || status === 401, `got ${status}`);
  });
});
