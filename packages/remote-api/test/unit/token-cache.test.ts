/** The verified-token cache: hits only for the same token, bounded, expiring at exp, emptied on rotation. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VerifiedTokenCache } from '../../src/auth/token-cache.js';
import { AuthError, type VerifiedToken } from '../../src/auth/verify.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'https://cnpg-mcp.test/api';
const checks = { issuer: ISSUER, audiences: [AUDIENCE] };

function verified(exp: number, overrides: Record<string, unknown> = {}): VerifiedToken {
  return {
    claims: { iss: ISSUER, aud: AUDIENCE, sub: 'u1', exp, ...overrides },
    scopes: ['mcp:read'],
  };
}

function cacheAt(clock: { now: number }, maxEntries = 100, clockToleranceSeconds = 30) {
  return new VerifiedTokenCache({ maxEntries, clockToleranceSeconds, now: () => clock.now });
}

const refusal = (reason: string) => (error: unknown) => error instanceof AuthError && error.reason === reason;

describe('verified-token cache', () => {
  test('a token is served again until exp plus the clock tolerance, then refused as expired and dropped', () => {
    const clock = { now: 1000 };
    const cache = cacheAt(clock);
    cache.remember('token-a', verified(1100), cache.begin());
    assert.equal(cache.lookup('token-a', checks)?.claims.sub, 'u1');
    clock.now = 1129.9;
    assert.ok(cache.lookup('token-a', checks), 'within the tolerance');
    clock.now = 1130;
    assert.throws(() => cache.lookup('token-a', checks), refusal('expired'));
    assert.equal(cache.lookup('token-a', checks), undefined, 'dropped: the next lookup verifies in full');
  });

  test('only the same token hits: any other string, however close, is a miss', () => {
    const cache = cacheAt({ now: 1000 });
    cache.remember('header.payload.signature', verified(2000), cache.begin());
    for (const other of ['header.payload.signaturE', 'header.payload.signature ', 'header.payload.', 'x']) {
      assert.equal(cache.lookup(other, checks), undefined, other);
    }
  });

  test('a hit is checked against the audience and issuer of this request', () => {
    const cache = cacheAt({ now: 1000 });
    cache.remember('t', verified(2000), cache.begin());
    assert.throws(
      () => cache.lookup('t', { issuer: ISSUER, audiences: ['https://other.test/api'] }),
      refusal('wrong_audience'),
    );
    assert.throws(
      () => cache.lookup('t', { issuer: 'https://evil.test', audiences: [AUDIENCE] }),
      refusal('wrong_issuer'),
    );
    cache.remember('arr', verified(2000, { aud: ['https://x.test', AUDIENCE] }), cache.begin());
    assert.ok(cache.lookup('arr', checks), 'an audience array that holds ours');
  });

  test('nothing is kept without exp, or already past it', () => {
    const cache = cacheAt({ now: 1000 }, 100, 0);
    cache.remember('no-exp', { claims: { iss: ISSUER, aud: AUDIENCE, sub: 'u' }, scopes: [] }, cache.begin());
    cache.remember('past', verified(999), cache.begin());
    assert.equal(cache.size, 0);
  });

  test('bounded: the oldest entry goes first', () => {
    const cache = cacheAt({ now: 1000 }, 2);
    for (const token of ['t1', 't2', 't3']) cache.remember(token, verified(2000), cache.begin());
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup('t1', checks), undefined);
    assert.ok(cache.lookup('t2', checks), "cache.lookup('t2', checks)");
    assert.ok(cache.lookup('t3', checks), "cache.lookup('t3', checks)");
  });

  test('a key rotation empties it, and a verification begun before the rotation is not added after it', () => {
    const cache = cacheAt({ now: 1000 });
    cache.remember('old', verified(2000), cache.begin());
    const begunBefore = cache.begin();
    cache.clear();
    assert.equal(cache.lookup('old', checks), undefined);
    cache.remember('in-flight', verified(2000), begunBefore);
    assert.equal(cache.lookup('in-flight', checks), undefined);
    cache.remember('new', verified(2000), cache.begin());
    assert.ok(cache.lookup('new', checks), "cache.lookup('new', checks)");
  });

  test('maxEntries 0 turns it off', () => {
    const cache = cacheAt({ now: 1000 }, 0);
    cache.remember('t', verified(2000), cache.begin());
    assert.equal(cache.lookup('t', checks), undefined);
  });

  test('the cache holds no bearer token, only its SHA-256', () => {
    const cache = cacheAt({ now: 1000 });
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXNlY3JldA';
    cache.remember(token, verified(2000), cache.begin());
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    assert.equal(keys.length, 1);
    assert.ok(
      !keys[0]!.includes(token) && !token.includes(keys[0]!),
      '!keys[0]!.includes(token) && !token.includes(keys[0]!)',
    );
    assert.match(keys[0]!, /^[A-Za-z0-9_-]{43}$/);
  });
});
