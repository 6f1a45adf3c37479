import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearerChallenge } from '../../src/auth/challenge.js';
import { bearerFromHeader, scopesOf } from '../../src/auth/verify.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { redact } from '../../src/log.js';
import { truncate } from '../../src/mcp.js';
import { createMetrics } from '../../src/metrics.js';

describe('configuration', () => {
  const minimal = { OIDC_ISSUER: 'https://tenant.auth0.com/', OIDC_AUDIENCE: 'https://api' };

  test('defaults', () => {
    const config = loadConfig(minimal);
    assert.equal(config.port, 8080);
    assert.equal(config.authorization.mode, 'pass-through');
    assert.deepEqual(
      config.metrics,
      { port: undefined, token: undefined },
      '/metrics is not served by default',
    );
    assert.deepEqual(config.allowedNamespaces, ['*']);
    assert.ok(!config.oidc.algorithms.includes('HS256'), "!config.oidc.algorithms.includes('HS256')");
    assert.equal(config.scopes.write, 'mcp:write');
  });

  test('a bad setting names the variable and what was expected', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /OIDC_ISSUER: .*\(not set\)/],
      [{ ...minimal, PORT: 'eighty' }, /PORT:/],
      [{ ...minimal, OIDC_ALGORITHMS: 'RS256,HS256' }, /OIDC_ALGORITHMS: expected a list of RS256/],
      [{ ...minimal, OIDC_ALGORITHMS: 'none' }, /OIDC_ALGORITHMS/],
      [{ ...minimal, IMPERSONATION: 'yes' }, /IMPERSONATION: .*off.*user-id.*email/],
      [{ ...minimal, ALLOWED_NAMESPACES: 'Team A' }, /ALLOWED_NAMESPACES: expected namespace names or \*/],
      [{ ...minimal, LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ ...minimal, OIDC_ISSUER: 'tenant.auth0.com' }, /OIDC_ISSUER: expected the issuer URL/],
    ];
    for (const [env, pattern] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
      );
    }
  });
});

describe('bearer tokens, challenges, redaction, metrics', () => {
  test('bearer header parsing', () => {
    assert.equal(bearerFromHeader('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerFromHeader('bearer abc'), 'abc');
    assert.throws(() => bearerFromHeader(undefined), /no bearer token/);
    assert.throws(() => bearerFromHeader('Basic abc'), /must be "Bearer <token>"/);
    assert.throws(() => bearerFromHeader('Bearer a b'), /must be/);
  });

  test('scopes from scope, scp and permissions', () => {
    assert.deepEqual(scopesOf({ scope: 'openid mcp:read', scp: ['x'], permissions: ['mcp:write'] }).sort(), [
      'mcp:read',
      'mcp:write',
      'openid',
      'x',
    ]);
  });

  test('challenge quoting', () => {
    assert.equal(
      bearerChallenge({
        resourceMetadataUrl: 'https://h/.well-known/oauth-protected-resource',
        error: 'invalid_token',
        description: 'say "hi"',
      }),
      'Bearer realm="cnpg-mcp", error="invalid_token", error_description="say \\"hi\\"", resource_metadata="https://h/.well-known/oauth-protected-resource"',
    );
  });

  test('redaction removes tokens by key and by shape', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const out = JSON.stringify(
      redact({
        headers: { authorization: `Bearer ${jwt}` },
        access_token: 'opaque',
        note: `got ${jwt}`,
        nested: [{ password: 'p' }],
      }),
    );
    assert.ok(!out.includes(jwt) && !out.includes('opaque') && !out.includes('"p"'), out);
  });

  test('long texts for people are truncated with a note', () => {
    assert.equal(truncate('short'), 'short');
    const long = truncate('x'.repeat(30_000));
    assert.ok(long.startsWith('x'.repeat(25_000)), "long.startsWith('x'.repeat(25_000))");
    assert.match(long, /\n… \(truncated 5000 characters; the structured content has everything\)$/);
  });

  test('metrics render in the Prometheus text format', () => {
    const metrics = createMetrics();
    metrics.toolCalls.inc({ tool: 'whoami', outcome: 'success' });
    metrics.toolDuration.observe({ tool: 'whoami' }, 0.02);
    const text = metrics.render();
    assert.match(
      text,
      /# TYPE cnpg_mcp_tool_calls_total counter\ncnpg_mcp_tool_calls_total\{tool="whoami",outcome="success"\} 1/,
    );
    assert.match(text, /cnpg_mcp_tool_call_duration_seconds_bucket\{tool="whoami",le="0.025"\} 1/);
    assert.match(text, /cnpg_mcp_tool_call_duration_seconds_bucket\{tool="whoami",le="0.01"\} 0/);
    assert.match(text, /cnpg_mcp_tool_call_duration_seconds_count\{tool="whoami"\} 1/);
  });
});
