import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { identityFromClaims, kubernetesUserId, ownerMetadata } from '../../src/identity.js';
import { impersonatedUser } from '../../src/kube/client.js';

/** The documented test vectors of the Kubernetes-safe user id (docs/remote-api.md). */
const USER_ID_VECTORS: [issuer: string, sub: string, userId: string][] = [
  [
    'https://tenant.eu.auth0.com/',
    'auth0|64f0c2a1b2c3d4e5f6a7b8c9',
    'auth0-64f0c2a1b2c3d4e5f6a7b8c9-d2a894b6cc19',
  ],
  [
    'https://tenant.eu.auth0.com',
    'auth0|64f0c2a1b2c3d4e5f6a7b8c9',
    'auth0-64f0c2a1b2c3d4e5f6a7b8c9-d2a894b6cc19',
  ],
  [
    'https://other-tenant.eu.auth0.com/',
    'auth0|64f0c2a1b2c3d4e5f6a7b8c9',
    'auth0-64f0c2a1b2c3d4e5f6a7b8c9-06a832918d86',
  ],
  [
    'https://tenant.eu.auth0.com/',
    'google-oauth2|110169484474386276334',
    'google-oauth2-110169484474386276334-78ae2cded71e',
  ],
  ['http://127.0.0.1:8080', 'devstack|alice', 'devstack-alice-9d57d2531c5d'],
  [
    'https://login.example.org/realms/x',
    'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    'f81d4fae-7dec-11d0-a765-00a0c91e6bf6-f6e3762eeba4',
  ],
  ['https://login.example.org/realms/x', 'Zoë.Müller', 'zoe-muller-76a6f8c25ae3'],
  ['https://tenant.eu.auth0.com/', '_____', 'user-72b8e8b8f2a2'],
  ['https://tenant.eu.auth0.com/', 'a'.repeat(80), `${'a'.repeat(50)}-a9fe1affabb7`],
];

const ISSUER = 'https://tenant.eu.auth0.com/';
const claims = (extra: Record<string, unknown>) => ({ iss: ISSUER, ...extra });

describe('Kubernetes-safe user id', () => {
  test('matches the documented vectors and is always a valid label value', () => {
    for (const [issuer, sub, expected] of USER_ID_VECTORS) {
      const id = kubernetesUserId(issuer, sub);
      assert.equal(id, expected, `${issuer} ${sub}`);
      assert.ok(id.length <= 63, 'id.length <= 63');
      assert.match(id, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  test('comes from (issuer, sub) only: email, names and groups never change it', () => {
    const base = identityFromClaims(claims({ sub: 'auth0|1' }), [], 'groups');
    const decorated = identityFromClaims(
      claims({
        sub: 'auth0|1',
        email: 'someone@example.com',
        email_verified: true,
        preferred_username: 'someone',
        name: 'Some One',
        groups: ['g'],
      }),
      [],
      'groups',
    );
    assert.equal(decorated.userId, base.userId);
    assert.equal(base.userId, kubernetesUserId(ISSUER, 'auth0|1'));
  });

  test('two accounts with the same unverified email are two users', () => {
    const victim = identityFromClaims(
      claims({
        sub: 'auth0|victim',
        email: 'ada@example.com',
        email_verified: true,
        preferred_username: 'ada',
      }),
      [],
      'groups',
    );
    const attacker = identityFromClaims(
      claims({ sub: 'auth0|attacker', email: 'ada@example.com', preferred_username: 'ada' }),
      [],
      'groups',
    );
    assert.notEqual(attacker.userId, victim.userId);
    assert.equal(attacker.emailVerified, false);
  });

  test('subjects that sanitise alike still get different ids', () => {
    assert.notEqual(kubernetesUserId(ISSUER, 'a|b'), kubernetesUserId(ISSUER, 'a-b'));
    assert.notEqual(kubernetesUserId(ISSUER, 'A'), kubernetesUserId(ISSUER, 'a'));
  });
});

describe('identity from claims', () => {
  test('email_verified counts only as the boolean true', () => {
    for (const [value, verified] of [
      [true, true],
      [false, false],
      ['true', false],
      [1, false],
      [undefined, false],
    ] as const) {
      const identity = identityFromClaims(
        claims({ sub: 's', email: 'a@example.com', email_verified: value }),
        [],
        'groups',
      );
      assert.equal(identity.emailVerified, verified, String(value));
    }
  });

  test('groups come from the configured claim, strings only', () => {
    const custom = identityFromClaims(
      claims({ sub: 's', 'https://x/groups': ['g1', 2] }),
      [],
      'https://x/groups',
    );
    assert.deepEqual(custom.groups, ['g1']);
  });

  test('objects are signed with the email only when it is verified', () => {
    const verified = identityFromClaims(
      claims({ sub: 's', email: 'a@example.com', email_verified: true }),
      [],
      'groups',
    );
    const unverified = identityFromClaims(claims({ sub: 's', email: 'admin@example.com' }), [], 'groups');
    assert.equal(ownerMetadata(verified).annotations['cnpg-mcp.io/created-by-email'], 'a@example.com');
    assert.equal(ownerMetadata(unverified).annotations['cnpg-mcp.io/created-by-email'], undefined);
    assert.equal(ownerMetadata(unverified).labels['cnpg-mcp.io/created-by'], unverified.userId);
  });

  test('IMPERSONATION=email sends only a verified email, else the user id', () => {
    const verified = identityFromClaims(
      claims({ sub: 's', email: 'a@example.com', email_verified: true }),
      [],
      'groups',
    );
    const unverified = identityFromClaims(claims({ sub: 'm', email: 'admin@example.com' }), [], 'groups');
    const noEmail = identityFromClaims(claims({ sub: 'n' }), [], 'groups');
    assert.equal(impersonatedUser(verified, 'email'), 'a@example.com');
    assert.equal(impersonatedUser(unverified, 'email'), unverified.userId);
    assert.equal(impersonatedUser(noEmail, 'email'), noEmail.userId);
    assert.equal(impersonatedUser(verified, 'user-id'), verified.userId);
  });
});
