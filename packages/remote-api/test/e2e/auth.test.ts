import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CompactEncrypt, decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { type DevOidc, loginForTokens } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import {
  connectClient,
  initializeMessage,
  parseChallenge,
  postMcp,
  rawRequest,
  unreachableKubeconfig,
} from '../support/support.js';

let stack: LocalStack;
let oidc: DevOidc;
let api: StackApi;
let aliceToken: string;
// These tests never reach Kubernetes.
const kubeconfig = unreachableKubeconfig();
const startApi = (env: Record<string, string>) => stack.startApi({ env });
const METRICS_TOKEN = 'metrics-token-for-the-auth-tests';

before(async () => {
  stack = await startLocalStack({ remoteApi: { env: { KUBECONFIG: kubeconfig, METRICS_TOKEN } } });
  ({ oidc, api } = stack);
  aliceToken = await stack.tokenFor('alice');
});

after(async () => {
  await stack.close();
});

async function expectRefused(authorization: string | undefined, status: number, error?: string) {
  const response = await postMcp(api, initializeMessage, authorization);
  assert.equal(response.status, status);
  const challenge = parseChallenge(response.headers.get('www-authenticate'));
  assert.equal(challenge.resource_metadata, `${api.url}/.well-known/oauth-protected-resource/mcp`);
  assert.equal(challenge.error, error);
  const body = (await response.json()) as { error_description?: string };
  return { challenge, body };
}

describe('token checks with tokens from a real login', () => {
  test('a valid token from the devstack login is accepted by a real SDK client', async () => {
    const client = await connectClient(api, aliceToken);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const who = result.structuredContent as { email: string; userId: string; scopes: string[] };
    assert.equal(who.email, 'alice@example.com');
    assert.match(who.userId, /^devstack-alice-[0-9a-f]{12}$/);
    assert.ok(who.scopes.includes('mcp:write'), "who.scopes.includes('mcp:write')");
    await client.close();
  });

  test('no token: 401 with a challenge naming the metadata, every API scope and no error code', async () => {
    const { challenge } = await expectRefused(undefined, 401, undefined);
    assert.equal(challenge.scope, 'mcp:read mcp:write', 'a first login can already get write access');
  });

  test('the SDK client sees the 401 on connect', async () => {
    await assert.rejects(connectClient(api, 'not-a-token'), /401|invalid_token|Unauthorized/i);
  });

  test('a non-Bearer Authorization header: 401 invalid_request', async () => {
    await expectRefused('Basic YWxpY2U6c2VjcmV0', 401, 'invalid_request');
  });

  test('a garbage token: 401 invalid_token', async () => {
    const { challenge } = await expectRefused('Bearer abc.def.ghi', 401, 'invalid_token');
    assert.ok(challenge.error_description, 'challenge.error_description');
  });

  test('an oversized token is refused before parsing', async () => {
    const { challenge } = await expectRefused(`Bearer ${'a'.repeat(9000)}.b.c`, 401, 'invalid_token');
    assert.match(challenge.error_description!, /larger than 8192 bytes/);
  });

  test('a JWE (five parts) gets a message saying to request the audience', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"sub":"x"}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(crypto.getRandomValues(new Uint8Array(32)));
    assert.equal(jwe.split('.').length, 5);
    const { challenge } = await expectRefused(`Bearer ${jwe}`, 401, 'invalid_token');
    assert.match(challenge.error_description!, /encrypted \(JWE\).*audience=https:\/\/cnpg-mcp\.local\/api/);
  });

  test('an opaque token (login without audience) says to request the audience', async () => {
    const opaque = (await loginForTokens(oidc, { username: 'bob', audience: null })).access_token;
    assert.notEqual(opaque.split('.').length, 3);
    const { challenge } = await expectRefused(`Bearer ${opaque}`, 401, 'invalid_token');
    assert.match(challenge.error_description!, /not a JWT.*audience/);
  });

  test('alg none and HS256 tokens are refused', async () => {
    const claims = { ...decodeJwt(aliceToken) };
    const none = new UnsecuredJWT(claims).encode();
    const { challenge } = await expectRefused(`Bearer ${none}`, 401, 'invalid_token');
    assert.match(challenge.error_description!, /algorithm none is not allowed/);
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('k'.repeat(32)));
    const refused = await expectRefused(`Bearer ${hs}`, 401, 'invalid_token');
    assert.match(refused.challenge.error_description!, /algorithm HS256 is not allowed/);
  });

  test('a tampered payload fails the signature check', async () => {
    const [header, payload, signature] = aliceToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.email = 'mallory@example.com';
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const { challenge } = await expectRefused(`Bearer ${forged}`, 401, 'invalid_token');
    assert.match(challenge.error_description!, /signature/);
  });

  test('a token without mcp:read: 403 insufficient_scope naming the scope', async () => {
    const token = (await loginForTokens(oidc, { username: 'bob', scope: 'openid mcp:write' })).access_token;
    const { challenge } = await expectRefused(`Bearer ${token}`, 403, 'insufficient_scope');
    assert.equal(challenge.scope, 'mcp:read mcp:write');
  });

  test('a read-only token may read but a write tool answers 403 insufficient_scope mcp:write', async () => {
    const token = (await loginForTokens(oidc, { username: 'bob', scope: 'openid email mcp:read' }))
      .access_token;
    const client = await connectClient(api, token);
    const who = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
      canWrite: boolean;
    };
    assert.equal(who.canWrite, false);
    await client.close();
    const response = await postMcp(
      api,
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'cluster_delete', arguments: { name: 'pg', confirm: 'pg' } },
      },
      `Bearer ${token}`,
    );
    assert.equal(response.status, 403);
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    assert.equal(challenge.error, 'insufficient_scope');
    assert.equal(challenge.scope, 'mcp:read mcp:write', 'what to ask for, read kept');
    assert.match(
      challenge.error_description!,
      /cluster_delete needs the mcp:write scope; authorize again asking for mcp:read mcp:write/,
    );
  });

  test('auth failures are counted by reason in /metrics and tokens never reach the logs', async () => {
    const anonymous = await fetch(`${api.url}/metrics`);
    assert.equal(anonymous.status, 401, '/metrics on the API port needs METRICS_TOKEN');
    await anonymous.body?.cancel();
    const wrong = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${'x'.repeat(METRICS_TOKEN.length)}` },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const text = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    assert.match(text, /cnpg_mcp_auth_failures_total\{reason="missing_token"\} [1-9]/);
    assert.match(text, /cnpg_mcp_auth_failures_total\{reason="encrypted_token"\} [1-9]/);
    assert.match(text, /cnpg_mcp_tool_calls_total\{tool="whoami",outcome="success"\} [1-9]/);
    assert.match(text, /cnpg_mcp_http_request_duration_seconds_bucket\{route="\/mcp",le="\+Inf"\} [1-9]/);
    const logs = api.logs.lines.join('');
    assert.ok(logs.length > 0, 'logs.length > 0');
    assert.ok(!logs.includes(aliceToken.split('.')[1]!), 'token payload absent from logs');
    assert.ok(!logs.includes('eyJ'), 'no JWT-looking strings in logs');
  });
});

describe('issuer, audience, expiry and keys', () => {
  test('a different configured audience rejects the token', async () => {
    const other = await startApi({
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: 'https://other.example/api',
      KUBECONFIG: kubeconfig,
    });
    const response = await postMcp(other, initializeMessage, `Bearer ${aliceToken}`);
    assert.equal(response.status, 401);
    assert.match(
      parseChallenge(response.headers.get('www-authenticate')).error_description!,
      /audience does not include https:\/\/other\.example\/api/,
    );
    await other.close();
  });

  test('the issuer must match exactly, with a trailing slash normalised', async () => {
    const withSlash = await startApi({
      OIDC_ISSUER: `${oidc.issuer}/`,
      OIDC_AUDIENCE: oidc.audience,
      KUBECONFIG: kubeconfig,
    });
    const ok = await postMcp(withSlash, initializeMessage, `Bearer ${aliceToken}`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    await withSlash.close();
    const jwksUri = `${oidc.issuer}/jwks`;
    const localhost = await startApi({
      OIDC_ISSUER: oidc.issuer.replace('127.0.0.1', 'localhost'),
      OIDC_JWKS_URI: jwksUri,
      OIDC_AUDIENCE: oidc.audience,
      KUBECONFIG: kubeconfig,
    });
    const refused = await postMcp(localhost, initializeMessage, `Bearer ${aliceToken}`);
    assert.equal(refused.status, 401);
    assert.match(
      parseChallenge(refused.headers.get('www-authenticate')).error_description!,
      /issuer is not http:\/\/localhost/,
    );
    await localhost.close();
  });

  test('an expired token is refused (exp with leeway)', async () => {
    const shortLived = await startLocalStack({ oidc: { accessTokenTtlSeconds: 1 }, remoteApi: false });
    const strict = await shortLived.startApi({
      env: { OIDC_CLOCK_TOLERANCE_SECONDS: '0', KUBECONFIG: kubeconfig },
    });
    const lenient = await shortLived.startApi({
      env: { OIDC_CLOCK_TOLERANCE_SECONDS: '60', KUBECONFIG: kubeconfig },
    });
    const token = await shortLived.tokenFor('alice');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const refused = await postMcp(strict, initializeMessage, `Bearer ${token}`);
    assert.equal(refused.status, 401);
    assert.match(parseChallenge(refused.headers.get('www-authenticate')).error_description!, /expired/);
    const accepted = await postMcp(lenient, initializeMessage, `Bearer ${token}`);
    assert.equal(accepted.status, 200, 'within the leeway');
    await accepted.body?.cancel();
    await strict.close();
    await lenient.close();
    await shortLived.close();
  });

  test('an unknown kid triggers a JWKS refetch once the cooldown has passed, not within it', async () => {
    let fetches = 0;
    const proxy: Server = createServer(async (_req, res) => {
      fetches++;
      const upstream = await fetch(`${oidc.issuer}/jwks`);
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = await startApi({
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: oidc.audience,
      OIDC_JWKS_URI: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/jwks`,
      JWKS_COOLDOWN_SECONDS: '1',
      KUBECONFIG: kubeconfig,
    });
    const first = await postMcp(proxied, initializeMessage, `Bearer ${aliceToken}`);
    assert.equal(first.status, 200);
    await first.body?.cancel();
    assert.equal(fetches, 1);

    const newKid = await oidc.rotateSigningKey({ keepPrevious: true });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const rotated = (await loginForTokens(oidc, { username: 'alice' })).access_token;
    assert.equal(decodeProtectedHeader(rotated).kid, newKid);
    const second = await postMcp(proxied, initializeMessage, `Bearer ${rotated}`);
    assert.equal(second.status, 200, 'new kid accepted after a refetch');
    await second.body?.cancel();
    assert.equal(fetches, 2);

    const [, payload, signature] = rotated.split('.');
    const strangeHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'no-such-kid' })).toString(
      'base64url',
    );
    const unknown = await postMcp(
      proxied,
      initializeMessage,
      `Bearer ${strangeHeader}.${payload}.${signature}`,
    );
    assert.equal(unknown.status, 401);
    await unknown.body?.cancel();
    assert.equal(fetches, 2, 'cooldown: no refetch right after the previous one');
    await proxied.close();
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
});

describe('metadata and health endpoints', () => {
  test('RFC 9728 protected resource metadata', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await fetch(`${api.url}${path}`);
      assert.equal(response.status, 200);
      const metadata = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(metadata, {
        resource: `${api.url}/mcp`,
        authorization_servers: [oidc.issuer],
        scopes_supported: ['mcp:read', 'mcp:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'cnpg-mcp',
        cnpg_mcp_desktop: {
          issuer: oidc.issuer,
          audience: oidc.audience,
          scopes: ['openid', 'profile', 'email', 'offline_access', 'mcp:read', 'mcp:write'],
        },
      });
    }
  });

  test('PUBLIC_URL names the resource and the challenge; DESKTOP_CLIENT_ID is published for the desktop', async () => {
    const published = await startApi({
      KUBECONFIG: kubeconfig,
      PUBLIC_URL: 'https://cnpg.example.com/',
      DESKTOP_CLIENT_ID: 'native-client',
    });
    // As the Ingress forwards it: Host names the public host.
    const viaIngress = { host: 'cnpg.example.com' };
    const metadata = JSON.parse(
      (await rawRequest(`${published.url}/.well-known/oauth-protected-resource/mcp`, { headers: viaIngress }))
        .body,
    ) as { resource: string; cnpg_mcp_desktop: { client_id?: string } };
    assert.equal(metadata.resource, 'https://cnpg.example.com/mcp');
    assert.equal(metadata.cnpg_mcp_desktop.client_id, 'native-client');
    const refused = await rawRequest(published.mcpUrl, {
      method: 'POST',
      headers: {
        ...viaIngress,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(initializeMessage),
    });
    assert.equal(refused.status, 401);
    assert.equal(
      parseChallenge(String(refused.headers['www-authenticate'])).resource_metadata,
      'https://cnpg.example.com/.well-known/oauth-protected-resource/mcp',
      'never built from the request Host',
    );
    const otherHost = await rawRequest(published.mcpUrl, {
      method: 'POST',
      headers: { host: 'attacker.example', 'content-type': 'application/json' },
      body: JSON.stringify(initializeMessage),
    });
    assert.equal(otherHost.status, 403, 'a Host that is not PUBLIC_URL is refused');
    await published.close();
  });

  test('/healthz answers; /readyz is false when Kubernetes is unreachable', async () => {
    assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
    const ready = await fetch(`${api.url}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { kubernetes: { ok: boolean }; jwks: { ok: boolean } };
    assert.equal(body.kubernetes.ok, false);
    assert.equal(body.jwks.ok, true);
  });

  test('/readyz is false when the JWKS cannot be fetched', async () => {
    const noKeys = await startApi({
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: oidc.audience,
      OIDC_JWKS_URI: 'http://127.0.0.1:9/jwks',
      KUBECONFIG: kubeconfig,
    });
    const ready = await fetch(`${noKeys.url}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { jwks: { ok: boolean } };
    assert.equal(body.jwks.ok, false);
    const call = await postMcp(noKeys, initializeMessage, `Bearer ${aliceToken}`);
    assert.equal(call.status, 503, 'tokens cannot be checked without keys');
    await call.body?.cancel();
    await noKeys.close();
  });

  test('GET and DELETE on /mcp answer 405 for this stateless server (after authentication)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(api.mcpUrl, {
        method,
        headers: { authorization: `Bearer ${aliceToken}` },
      });
      assert.equal(response.status, 405);
      await response.body?.cancel();
    }
    const anonymous = await fetch(api.mcpUrl, { method: 'GET' });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  });
});
