import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelaySeconds, scopeFor } from '../../management-client.js';
import { parseOptions, type SetupOptions, UsageError } from '../../options.js';

const DOMAIN = 'cnpg-test.eu.auth0.com';
const AUDIENCE = 'https://cnpg-mcp.example.com/api';

describe('setup-auth0 inputs', () => {
  const env = { AUTH0_MANAGEMENT_TOKEN: 't' };
  const base = ['--domain', DOMAIN, '--audience', AUDIENCE];

  test('plain http is refused except for loopback', () => {
    assert.throws(
      () => parseOptions([...base, '--management-url', 'http://auth0.internal.example'], env),
      /--management-url: expected an https:\/\/ URL \(plain http is allowed only for loopback\)/,
    );
    for (const ok of ['http://127.0.0.1:1234', 'http://[::1]:1234', 'https://proxy.example']) {
      const parsed = parseOptions([...base, '--management-url', ok], env) as SetupOptions;
      assert.equal(parsed.managementUrl.origin, new URL(ok).origin);
    }
    assert.equal((parseOptions(base, env) as SetupOptions).managementUrl.toString(), `https://${DOMAIN}/`);
  });

  test('bad or missing inputs name the flag or variable', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--audience', AUDIENCE], env, /--domain: expected the tenant domain/],
      [['--domain', 'not a domain', '--audience', AUDIENCE], env, /--domain: expected a host name/],
      [['--domain', DOMAIN], env, /--audience: expected the API identifier/],
      [base, {}, /credentials: expected AUTH0_MANAGEMENT_TOKEN/],
      [
        base,
        { AUTH0_MANAGEMENT_CLIENT_ID: 'x' },
        /AUTH0_MANAGEMENT_CLIENT_SECRET: expected it to be set as well/,
      ],
      [[...base, '--token-lifetime', 'soon'], env, /--token-lifetime: expected a whole number, got "soon"/],
      [
        [...base, '--refresh-idle-lifetime', '99999999'],
        env,
        /--refresh-idle-lifetime: expected 60–31557600|at most the absolute lifetime/,
      ],
      [[...base, '--bogus'], env, /Unknown option '--bogus'/],
    ];
    for (const [argv, e, pattern] of cases)
      assert.throws(
        () => parseOptions(argv, e),
        (err: unknown) => err instanceof UsageError && pattern.test(err.message),
      );
  });

  test('the scope each call needs, named when Auth0 does not say it', () => {
    assert.equal(scopeFor('GET', '/api/v2/resource-servers'), 'read:resource_servers');
    assert.equal(scopeFor('PATCH', '/api/v2/clients/abc'), 'update:clients');
    assert.equal(scopeFor('POST', '/api/v2/actions/actions/x/deploy'), 'create:actions');
    assert.equal(scopeFor('GET', '/api/v2/actions/triggers/post-login/bindings'), 'read:triggers');
    assert.equal(scopeFor('PATCH', '/api/v2/actions/triggers/post-login/bindings'), 'update:triggers');
  });

  test('Retry-After as seconds, as an HTTP date, and X-RateLimit-Reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryDelaySeconds({ 'retry-after': '7' }, now), 7);
    assert.equal(retryDelaySeconds({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now), 5);
    assert.equal(retryDelaySeconds({ 'x-ratelimit-reset': String(now / 1000 + 4) }, now), 4);
    assert.equal(retryDelaySeconds({}, now), 1);
  });
});
