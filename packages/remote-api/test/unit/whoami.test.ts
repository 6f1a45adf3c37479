import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whoami } from '@cnpg-mcp/catalog';
import { loadConfig } from '../../src/config.js';
import { identityFromClaims } from '../../src/identity.js';
import { describeCaller, powersOf, whoamiTool } from '../../src/tools/whoami.js';
import { accessOf, admin, alice } from './backups/fixtures.js';

const config = loadConfig({
  OIDC_ISSUER: 'http://127.0.0.1:1',
  OIDC_AUDIENCE: 'cnpg-mcp',
  DEFAULT_NAMESPACE: 'team-a',
});

test('whoami: the dangerous-power rules as they apply to a person; everything for an admin', () => {
  const defaults = powersOf(accessOf(alice));
  assert.deepEqual(defaults.images, {
    registries: ['ghcr.io/cloudnative-pg/postgresql'],
    catalogs: 'admin-made',
  });
  assert.equal(defaults.roleAttributes.superuser, false);
  assert.ok(
    defaults.roleAttributes.memberOf.includes('pg_monitor'),
    "defaults.roleAttributes.memberOf.includes('pg_monitor')",
  );
  assert.ok(
    !defaults.roleAttributes.memberOf.includes('pg_execute_server_program'),
    "!defaults.roleAttributes.memberOf.includes('pg_execute_server_program')",
  );
  assert.deepEqual(defaults.parameters, []);
  assert.deepEqual(defaults.poolerSettings, { parameters: [], authQuery: false, weakHbaMethods: false });
  const allowed = powersOf(accessOf(alice, { parameters: { allow: ['archive_library'] } }));
  assert.deepEqual(allowed.parameters, ['archive_library']);
  const everything = powersOf(accessOf(admin));
  assert.deepEqual(everything.images, { registries: ['*'], catalogs: 'any' });
  assert.equal(everything.roleAttributes.superuser, true);
  assert.deepEqual(everything.parameters, ['*']);
  assert.deepEqual(defaults.extensions, ['trusted']);
  assert.deepEqual(everything.extensions, ['*']);
});

test('whoami: email verification, reads and objects made outside cnpg-mcp; the output fits the catalogue schema', () => {
  const unverified = identityFromClaims(
    { iss: 'http://127.0.0.1:1', sub: 'mallory', email: 'admin@example.com', email_verified: false },
    ['mcp:read'],
    'groups',
  );
  const out = describeCaller(unverified, accessOf(unverified, { reads: 'owned' }), config);
  assert.equal(out.structured.emailVerified, false);
  assert.equal(out.structured.reads, 'owned');
  assert.equal(out.structured.unlabelledUsable, false);
  assert.match(
    out.text,
    /^You are admin@example\.com \(email not verified\) \(subject mallory, user id mallory-/,
  );
  assert.match(out.text, /You may read only what you created\./);
  assert.match(out.text, /made outside cnpg-mcp .* are for admins only/);
  whoami.outputSchema.parse(out.structured);

  const forAdmin = describeCaller(admin, accessOf(admin, { reads: 'owned' }), config);
  assert.equal(forAdmin.structured.reads, 'namespace');
  assert.equal(forAdmin.structured.unlabelledUsable, true);
  whoami.outputSchema.parse(forAdmin.structured);
  assert.deepEqual(whoamiTool.references, {});
});
