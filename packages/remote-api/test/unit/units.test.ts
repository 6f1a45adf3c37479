import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bearerChallenge } from '../../src/auth/challenge.js';
import { bearerFromHeader, scopesOf } from '../../src/auth/verify.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { identityFromClaims, kubernetesUserId } from '../../src/identity.js';
import { redact } from '../../src/log.js';
import { truncate } from '../../src/mcp.js';
import { createMetrics } from '../../src/metrics.js';
import { accessFor, loadPolicy, namespaceAllowed } from '../../src/policy.js';
import { tempDir } from '../support/support.js';

/** The documented test vectors of the Kubernetes-safe user id (docs/remote-api.md). */
const USER_ID_VECTORS: [issuer: string, name: string, userId: string][] = [
  ['https://tenant.eu.auth0.com/', 'alice', 'alice-34ed603c80'],
  ['https://tenant.eu.auth0.com', 'alice', 'alice-34ed603c80'],
  ['http://127.0.0.1:8080', 'alice', 'alice-476475a0b6'],
  ['https://tenant.eu.auth0.com/', 'Alice.Smith@Example.com', 'alice-smith-4055a1dd44'],
  ['https://tenant.eu.auth0.com/', 'alice-smith', 'alice-smith-75841d4d43'],
  [
    'https://tenant.eu.auth0.com/',
    'auth0|64f0c2a1b2c3d4e5f6a7b8c9',
    'auth0-64f0c2a1b2c3d4e5f6a7b8c9-d2a894b6cc',
  ],
  ['https://login.example.org/realms/x', 'Zoë Müller', 'zoe-muller-f51716264d'],
  ['https://tenant.eu.auth0.com/', '_____', 'user-72b8e8b8f2'],
  ['https://tenant.eu.auth0.com/', 'a'.repeat(80), `${'a'.repeat(52)}-a9fe1affab`],
];

describe('Kubernetes-safe user id', () => {
  test('matches the documented vectors and is always a valid label value', () => {
    for (const [issuer, name, expected] of USER_ID_VECTORS) {
      const id = kubernetesUserId(issuer, name);
      assert.equal(id, expected, `${issuer} ${name}`);
      assert.ok(id.length <= 63);
      assert.match(id, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  test('identity prefers preferred_username, then email, then sub', () => {
    const base = { iss: 'https://i/', sub: 'auth0|1' };
    assert.equal(
      identityFromClaims({ ...base, preferred_username: 'al', email: 'a@b' }, [], 'groups').userId,
      kubernetesUserId('https://i/', 'al'),
    );
    assert.equal(
      identityFromClaims({ ...base, email: 'a@b' }, [], 'groups').userId,
      kubernetesUserId('https://i/', 'a@b'),
    );
    assert.equal(identityFromClaims(base, [], 'groups').userId, kubernetesUserId('https://i/', 'auth0|1'));
    const custom = identityFromClaims({ ...base, 'https://x/groups': ['g1', 2] }, [], 'https://x/groups');
    assert.deepEqual(custom.groups, ['g1']);
  });
});

describe('configuration', () => {
  const minimal = { OIDC_ISSUER: 'https://tenant.auth0.com/', OIDC_AUDIENCE: 'https://api' };

  test('defaults', () => {
    const config = loadConfig(minimal);
    assert.equal(config.port, 8080);
    assert.equal(config.resource, 'https://api');
    assert.deepEqual(config.allowedNamespaces, ['*']);
    assert.ok(!config.oidc.algorithms.includes('HS256'));
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

describe('policy', () => {
  const identity = (groups: string[], name = 'alice') =>
    identityFromClaims(
      { iss: 'https://i', sub: name, email: `${name}@example.com`, groups },
      ['mcp:read', 'mcp:write'],
      'groups',
    );

  test('namespaces come from everyone, the user and the groups, capped by ALLOWED_NAMESPACES', () => {
    const policy = loadPolicyText({
      adminGroups: ['ops'],
      namespaces: {
        everyone: ['sandbox'],
        users: { 'alice@example.com': ['alice'] },
        groups: { dev: ['dev', 'qa'] },
      },
    });
    assert.deepEqual(accessFor(policy, identity(['dev']), ['*'], true, 'mcp:write').namespaces, [
      'alice',
      'dev',
      'qa',
      'sandbox',
    ]);
    assert.deepEqual(accessFor(policy, identity([], 'bob'), ['*'], true, 'mcp:write').namespaces, [
      'sandbox',
    ]);
    assert.deepEqual(accessFor(policy, identity(['dev']), ['dev', 'prod'], true, 'mcp:write').namespaces, [
      'dev',
    ]);
    const admin = accessFor(policy, identity(['ops']), ['dev', 'prod'], true, 'mcp:write');
    assert.equal(admin.admin, true);
    assert.equal(admin.ownershipEnforced, false);
    assert.deepEqual(admin.namespaces, ['dev', 'prod']);
    assert.ok(namespaceAllowed(accessFor(policy, identity(['ops']), ['*'], true, 'mcp:write'), 'anything'));
  });

  test('read-only comes from the policy or from a token without the write scope', () => {
    const readOnly = accessFor(loadPolicyText({ readOnly: true }), identity([]), ['*'], true, 'mcp:write');
    assert.equal(readOnly.readOnlyReason, 'the server policy is read-only');
    const noScope = accessFor(loadPolicyText({}), identity([]), ['*'], false, 'mcp:write');
    assert.equal(noScope.readOnlyReason, 'the token lacks the mcp:write scope');
  });

  test('a bad policy file names the field', () => {
    assert.throws(
      () => loadPolicyText({ quotas: { storagePerCluster: 'lots' } }),
      /quotas\.storagePerCluster: expected a storage quantity/,
    );
    assert.throws(() => loadPolicyText({ adminGroup: ['x'] }), /adminGroup/);
  });
});

function loadPolicyText(policy: unknown) {
  const file = join(tempDir(), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return loadPolicy(file);
}

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
    assert.ok(long.startsWith('x'.repeat(25_000)));
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
