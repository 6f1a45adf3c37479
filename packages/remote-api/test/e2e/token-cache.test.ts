/**
 * The verified-token cache against the real provider: a repeated token is a hit, yet an expired
 * token is refused even though it was cached, and after the provider rotates its signing key
 * (noticed when a token signed by the new key arrives) a token of the removed key is refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { postMcp, unreachableKubeconfig } from '../support/support.js';

const whoami = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

let stack: LocalStack;

before(async () => {
  stack = await startLocalStack({ oidc: { accessTokenTtlSeconds: 2 }, remoteApi: false });
});

after(async () => {
  await stack.close();
});

const hits = (api: StackApi) => api.metrics.tokenCache.get({ result: 'hit' });

async function status(api: StackApi, token: string): Promise<{ status: number; challenge: string }> {
  const response = await postMcp(api, whoami, `Bearer ${token}`);
  await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
}

test('a cached token is refused once it expires (no clock tolerance here)', async () => {
  const api = await stack.startApi({
    env: { OIDC_CLOCK_TOLERANCE_SECONDS: '0', KUBECONFIG: unreachableKubeconfig() },
  });
  const token = await stack.tokenFor('alice');
  assert.equal((await status(api, token)).status, 200);
  const before = hits(api);
  assert.equal((await status(api, token)).status, 200);
  assert.equal(hits(api), before + 1, 'the second request was served from the cache');
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 200));
  const expired = await status(api, token);
  assert.equal(expired.status, 401);
  assert.match(expired.challenge, /error="invalid_token"/);
  assert.match(expired.challenge, /expired/);
});

test('after a signing key rotation, a token of the removed key is refused although it was cached', async () => {
  const api = await stack.startApi({
    // Refetch the key set as soon as an unknown kid arrives.
    env: { JWKS_COOLDOWN_SECONDS: '0', KUBECONFIG: unreachableKubeconfig() },
  });
  const oldToken = await stack.tokenFor('bob');
  assert.equal((await status(api, oldToken)).status, 200);
  assert.equal((await status(api, oldToken)).status, 200);
  const hitsBefore = hits(api);
  await stack.oidc.rotateSigningKey({ keepPrevious: false });
  const newToken = await stack.tokenFor('bob');
  assert.equal((await status(api, newToken)).status, 200, 'the new key was fetched for the new kid');
  const refused = await status(api, oldToken);
  assert.equal(refused.status, 401, 'the old key is gone, and so is everything verified with it');
  assert.match(refused.challenge, /error="invalid_token"/);
  assert.equal(hits(api), hitsBefore, 'no request after the rotation was served from the cache');
});
