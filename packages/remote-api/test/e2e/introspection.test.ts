import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type DevOidc, loginForTokens } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { initializeMessage, parseChallenge, postMcp, unreachableKubeconfig } from '../support/support.js';

let stack: LocalStack;
let oidc: DevOidc;
let proxy: Server;
let introspections = 0;
let strict: StackApi;
let lenient: StackApi;
let opaque: string;

before(async () => {
  stack = await startLocalStack({ remoteApi: false });
  oidc = stack.oidc;
  const endpoint = (
    (await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json()) as {
      introspection_endpoint: string;
    }
  ).introspection_endpoint;
  // Counts introspection requests on their way to the provider.
  proxy = createServer(async (req, res) => {
    introspections++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': String(req.headers['content-type']),
        authorization: String(req.headers.authorization),
      },
      body: Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const env = {
    OIDC_ISSUER: oidc.issuer,
    OIDC_AUDIENCE: oidc.audience,
    KUBECONFIG: unreachableKubeconfig(),
    OIDC_INTROSPECTION: 'on',
    OIDC_INTROSPECTION_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/introspect`,
    OIDC_INTROSPECTION_CLIENT_ID: oidc.introspectionClient.clientId,
    OIDC_INTROSPECTION_CLIENT_SECRET: oidc.introspectionClient.clientSecret,
  };
  strict = await stack.startApi({ env });
  lenient = await stack.startApi({ env: { ...env, OIDC_INTROSPECTION_REQUIRE_AUDIENCE: 'false' } });
  opaque = (await loginForTokens(oidc, { username: 'alice', audience: null })).access_token;
});

after(async () => {
  await strict.close();
  await lenient.close();
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await stack.close();
});

test('an opaque token is introspected: active, then audience and scopes checked; answers cached', async () => {
  assert.notEqual(opaque.split('.').length, 3);
  const refused = await postMcp(strict, initializeMessage, `Bearer ${opaque}`);
  assert.equal(refused.status, 401);
  assert.match(
    parseChallenge(refused.headers.get('www-authenticate')).error_description!,
    /audience does not include/,
  );
  assert.equal(introspections, 1);

  // Without an audience requirement the active token gets as far as the scope check.
  const scoped = await postMcp(lenient, initializeMessage, `Bearer ${opaque}`);
  assert.equal(scoped.status, 403);
  assert.equal(parseChallenge(scoped.headers.get('www-authenticate')).scope, 'mcp:read mcp:write');
  assert.equal(introspections, 2);
  const again = await postMcp(lenient, initializeMessage, `Bearer ${opaque}`);
  assert.equal(again.status, 403);
  assert.equal(introspections, 2, 'second answer came from the cache');
});

test('an unknown opaque token is inactive', async () => {
  const response = await postMcp(strict, initializeMessage, 'Bearer not-a-real-token');
  assert.equal(response.status, 401);
  assert.match(parseChallenge(response.headers.get('www-authenticate')).error_description!, /not active/);
});
