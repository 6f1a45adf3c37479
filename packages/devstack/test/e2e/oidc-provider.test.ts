import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidcClient from 'openid-client';
import {
  approveDeviceCode,
  DEFAULT_SCOPE,
  type DevOidc,
  discoverDevClient,
  loginAsPerson,
  loginForTokens,
  startDevOidc,
} from '../../src/index.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function verifyAccessToken(oidc: DevOidc, token: string) {
  const jwks = createRemoteJWKSet(new URL(`${oidc.issuer}/jwks`));
  return jwtVerify(token, jwks, { issuer: oidc.issuer, audience: oidc.audience, algorithms: ['RS256'] });
}

describe('devstack OpenID provider', () => {
  let oidc: DevOidc;
  let config: oidcClient.Configuration;

  before(async () => {
    oidc = await startDevOidc({ accessTokenTtlSeconds: 30 });
    config = await discoverDevClient(oidc);
  });
  after(() => oidc.close());

  test('discovery advertises the endpoints, PKCE S256 and the grant types the product uses', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, oidc.issuer);
    assert.match(oidc.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.ok(metadata.device_authorization_endpoint, 'metadata.device_authorization_endpoint');
    assert.ok(metadata.revocation_endpoint, 'metadata.revocation_endpoint');
    assert.ok(
      metadata.grant_types_supported?.includes('refresh_token'),
      "metadata.grant_types_supported?.includes('refresh_token')",
    );
    assert.ok(
      metadata.authorization_response_iss_parameter_supported,
      'metadata.authorization_response_iss_parameter_supported',
    );
  });

  test('code flow through a real loopback listener: PKCE, state, nonce and iss checked; JWT verifies', async () => {
    const received: string[] = [];
    const listener = createServer((req, res) => {
      received.push(req.url ?? '');
      res.end('logged in');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
    try {
      const verifier = oidcClient.randomPKCECodeVerifier();
      const state = oidcClient.randomState();
      const nonce = oidcClient.randomNonce();
      const url = oidcClient.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: DEFAULT_SCOPE,
        code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        audience: oidc.audience,
      });
      const result = await loginAsPerson(url.href, { username: 'alice', password: 'alice-password' });
      assert.equal(result.status, 200);
      assert.equal(result.body, 'logged in');
      assert.equal(received.length, 1);
      const callback = new URL(result.callbackUrl);
      assert.equal(callback.searchParams.get('state'), state);
      assert.equal(callback.searchParams.get('iss'), oidc.issuer);

      await assert.rejects(
        oidcClient.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: 'some-other-state',
          expectedNonce: nonce,
        }),
        (error: Error) => /"state"/.test(String((error.cause as Error | undefined)?.message)),
      );

      const tokens = await oidcClient.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      assert.ok(tokens.refresh_token, 'offline_access yields a refresh token');
      assert.equal(tokens.claims()?.nonce, nonce);
      const { payload, protectedHeader } = await verifyAccessToken(oidc, tokens.access_token);
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(payload.sub, 'devstack|alice');
      assert.equal(payload.client_id, oidc.clientId);
      assert.equal(payload.email, 'alice@example.com');
      assert.equal(payload.name, 'Alice Liddell');
      assert.equal(payload.preferred_username, 'alice');
      assert.deepEqual(payload.groups, ['developers']);
      assert.equal(typeof payload.jti, 'string');
      assert.equal(typeof payload.iat, 'number');
      assert.ok(
        Number(payload.exp) - Number(payload.iat) <= 30,
        'Number(payload.exp) - Number(payload.iat) <= 30',
      );
      assert.deepEqual(String(payload.scope).split(' ').sort(), ['mcp:read', 'mcp:write']);
    } finally {
      listener.closeAllConnections();
      listener.close();
    }
  });

  test('a wrong password stays on the login page with an error', async () => {
    const url = oidcClient.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:8888/callback',
      scope: 'openid',
      code_challenge: await oidcClient.calculatePKCECodeChallenge(oidcClient.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: oidcClient.randomState(),
    });
    await assert.rejects(
      loginAsPerson(url.href, { username: 'alice', password: 'nope' }),
      /HTTP 401.*Wrong username or password/,
    );
  });

  test('PKCE is required and only S256 is accepted', async () => {
    const base = {
      client_id: oidc.clientId,
      redirect_uri: 'http://127.0.0.1:8888/callback',
      response_type: 'code',
      scope: 'openid',
    };
    const noPkce = await fetch(`${oidc.issuer}/auth?${new URLSearchParams(base)}`, { redirect: 'manual' });
    assert.match(noPkce.headers.get('location') ?? '', /error=invalid_request.*requires\+PKCE/);
    const plain = await fetch(
      `${oidc.issuer}/auth?${new URLSearchParams({ ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' })}`,
      { redirect: 'manual' },
    );
    assert.match(plain.headers.get('location') ?? '', /error=invalid_request/);
  });

  test('a localhost redirect URI is rejected (the literal must be 127.0.0.1)', async () => {
    const params = new URLSearchParams({
      client_id: oidc.clientId,
      redirect_uri: 'http://localhost:8888/callback',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
    });
    const response = await fetch(`${oidc.issuer}/auth?${params}`, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /redirect_uri/);
  });

  test('RFC 8707 resource works like Auth0 audience; without either the token is opaque', async () => {
    const viaResource = await loginForTokens(oidc, { username: 'bob', audience: null, scope: DEFAULT_SCOPE });
    assert.equal(viaResource.access_token.split('.').length, 1, 'no audience: opaque token, as Auth0 does');

    const verifier = oidcClient.randomPKCECodeVerifier();
    const state = oidcClient.randomState();
    const url = oidcClient.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:8888/callback',
      scope: 'openid mcp:read',
      code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      resource: oidc.audience,
    });
    const { callbackUrl } = await loginAsPerson(
      url.href,
      { username: 'bob', password: 'bob-password' },
      { followCallback: false },
    );
    const tokens = await oidcClient.authorizationCodeGrant(
      config,
      new URL(callbackUrl),
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: oidc.audience },
    );
    const { payload } = await verifyAccessToken(oidc, tokens.access_token);
    assert.equal(payload.sub, 'devstack|bob');
    const scopes = String(payload.scope).split(' ');
    assert.ok(scopes.includes('mcp:read'), "scopes.includes('mcp:read')");
    assert.ok(!scopes.includes('mcp:write'), 'only the requested API scope is granted');
  });

  test('an unknown audience is refused', async () => {
    await assert.rejects(
      loginForTokens(oidc, { audience: 'https://someone-else.example/api' }),
      (error: unknown) =>
        error instanceof oidcClient.AuthorizationResponseError && error.error === 'invalid_target',
    );
  });

  test('refresh tokens rotate; reusing a rotated one revokes the whole grant', async () => {
    const first = await loginForTokens(oidc, { username: 'alice' });
    assert.ok(first.refresh_token, 'first.refresh_token');
    const before = oidc.tokenEndpointCalls().refresh_token ?? 0;
    const second = await oidcClient.refreshTokenGrant(config, first.refresh_token, {
      audience: oidc.audience,
    });
    assert.ok(second.refresh_token, 'second.refresh_token');
    assert.notEqual(second.refresh_token, first.refresh_token);
    await verifyAccessToken(oidc, second.access_token);
    assert.equal((oidc.tokenEndpointCalls().refresh_token ?? 0) - before, 1);

    await assert.rejects(oidcClient.refreshTokenGrant(config, first.refresh_token), (error: unknown) => {
      assert.ok(
        error instanceof oidcClient.ResponseBodyError,
        'error instanceof oidcClient.ResponseBodyError',
      );
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
    await assert.rejects(
      oidcClient.refreshTokenGrant(config, second.refresh_token),
      (error: unknown) => error instanceof oidcClient.ResponseBodyError && error.error === 'invalid_grant',
      'the newest refresh token of a grant whose old token was replayed is revoked too',
    );
  });

  test('revocation (RFC 7009) makes a refresh token unusable', async () => {
    const tokens = await loginForTokens(oidc, { username: 'bob' });
    assert.ok(tokens.refresh_token, 'tokens.refresh_token');
    await oidcClient.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    await assert.rejects(
      oidcClient.refreshTokenGrant(config, tokens.refresh_token),
      (error: unknown) => error instanceof oidcClient.ResponseBodyError && error.error === 'invalid_grant',
    );
  });

  test('device authorization: the person approves on the verification page, the device polls', async () => {
    const device = await oidcClient.initiateDeviceAuthorization(config, {
      scope: DEFAULT_SCOPE,
      audience: oidc.audience,
    });
    assert.match(device.user_code, /\S/);
    const polling = oidcClient.pollDeviceAuthorizationGrant(
      config,
      { ...device, interval: 0.05 } as typeof device,
      {
        audience: oidc.audience,
      },
    );
    await approveDeviceCode(device.verification_uri, device.user_code, {
      username: 'admin',
      password: 'admin-password',
    });
    const tokens = await polling;
    const { payload } = await verifyAccessToken(oidc, tokens.access_token);
    assert.deepEqual(payload.groups, ['cnpg-admins']);
    assert.ok(tokens.refresh_token, 'tokens.refresh_token');
    assert.ok(
      (oidc.tokenEndpointCalls()[DEVICE_GRANT] ?? 0) >= 1,
      '(oidc.tokenEndpointCalls()[DEVICE_GRANT] ?? 0) >= 1',
    );
  });

  test('signing-key rotation publishes a new kid, keeps or drops the old key', async () => {
    const before = await loginForTokens(oidc, { username: 'alice' });
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    assert.equal(oldKid, oidc.currentKid());

    const newKid = await oidc.rotateSigningKey({ keepPrevious: true });
    assert.notEqual(newKid, oldKid);
    const after = await loginForTokens(oidc, { username: 'alice' });
    assert.equal(decodeProtectedHeader(after.access_token).kid, newKid);
    const jwks = (await (await fetch(`${oidc.issuer}/jwks`)).json()) as {
      keys: Array<{ kid: string; d?: string }>;
    };
    assert.deepEqual(jwks.keys.map((key) => key.kid).sort(), [newKid, oldKid].sort());
    assert.ok(
      jwks.keys.every((key) => key.d === undefined),
      'private key material is never published',
    );
    await verifyAccessToken(oidc, before.access_token);

    const refreshed = await oidcClient.refreshTokenGrant(config, String(after.refresh_token), {
      audience: oidc.audience,
    });
    await verifyAccessToken(oidc, refreshed.access_token);

    const onlyKid = await oidc.rotateSigningKey({ keepPrevious: false });
    const onlyKeys = (await (await fetch(`${oidc.issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> };
    assert.deepEqual(
      onlyKeys.keys.map((key) => key.kid),
      [onlyKid],
    );
    await assert.rejects(
      verifyAccessToken(oidc, before.access_token),
      /no applicable key|JWKSNoMatchingKey/i,
    );
  });
});
