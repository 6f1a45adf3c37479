import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Identity, identityFromClaims, OWNER_LABEL } from '../../src/identity.js';
import {
  type Access,
  accessFor,
  DANGEROUS_MEMBERSHIPS,
  DANGEROUS_ROLE_ATTRIBUTES,
  HARMLESS_PREDEFINED_ROLES,
  type Labelled,
  loadPolicy,
  namespaceAllowed,
  PolicyDenied,
  parsePolicy,
  RESTRICTED_POOLER_PARAMETERS,
  RESTRICTED_POSTGRES_PARAMETERS,
  readableFilter,
  requireImageAllowed,
  requireOwnership,
  requireParametersAllowed,
  requirePoolerSettingsAllowed,
  requireReadable,
  requireRoleAttributesAllowed,
} from '../../src/policy.js';
import { tempDir } from '../support/support.js';

const ISSUER = 'https://tenant.eu.auth0.com/';

function person(sub: string, extra: Record<string, unknown> = {}): Identity {
  return identityFromClaims({ iss: ISSUER, sub, ...extra }, ['mcp:read', 'mcp:write'], 'groups');
}

const alice = person('auth0|alice', { email: 'alice@example.com', email_verified: true, groups: ['dev'] });
const bob = person('auth0|bob', { email: 'bob@example.com', email_verified: true, groups: ['dev'] });
const ada = person('auth0|ada', { email: 'ada@example.com', email_verified: true, groups: ['ops'] });
/** Claims ada's address, unverified. */
const mallory = person('auth0|mallory', { email: 'ada@example.com', email_verified: false, groups: ['dev'] });
/** Another account with the same unverified address. */
const mallory2 = person('auth0|mallory2', { email: 'ADA@example.com', groups: ['dev'] });

function access(policy: Record<string, unknown>, identity: Identity, allowed = ['*']): Access {
  return accessFor(parsePolicy(policy, 'test'), identity, allowed, true, 'mcp:write');
}

/** Asserts that `action` throws a PolicyDenied of `rule` whose message names every key in `keys`. */
function denied(action: () => void, rule: string, keys: string[], message?: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof PolicyDenied, String(error));
    assert.equal(error.rule, rule);
    assert.deepEqual([...error.allowKeys].sort(), [...keys].sort());
    for (const key of keys) assert.ok(error.message.includes(key), `${error.message} names ${key}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('policy file', () => {
  test('without a file: everyone everywhere, ownership enforced, unlabelled objects admin-only, namespace-wide reads', () => {
    const policy = loadPolicy(undefined);
    assert.deepEqual(policy.admins, { subjects: [], groups: [], emails: [] });
    assert.equal(policy.allowVerifiedEmail, false);
    assert.deepEqual(policy.ownership, { enforced: true, unlabelled: 'admins' });
    assert.equal(policy.reads, 'namespace');
    assert.deepEqual(policy.images, {
      registries: ['ghcr.io/cloudnative-pg/postgresql'],
      catalogs: 'admin-made',
    });
    assert.deepEqual(policy.roleAttributes.memberOf, [...HARMLESS_PREDEFINED_ROLES]);
  });

  test('a bad policy names the key and what was expected', () => {
    const cases: [unknown, RegExp][] = [
      [{ adminUsers: ['x'] }, /\(root\): unknown key adminUsers/],
      [{ adminGroups: ['x'] }, /\(root\): unknown key adminGroups/],
      [{ admins: { users: ['x'] } }, /admins: unknown key users/],
      [{ namespaces: { users: {} } }, /namespaces: unknown key users/],
      [{ ownership: true }, /ownership: /],
      [{ ownership: { unlabelled: 'nobody' } }, /ownership\.unlabelled: .*admins.*everyone/],
      [{ reads: 'mine' }, /reads: .*namespace.*owned/],
      [{ quotas: { storagePerCluster: 'lots' } }, /quotas\.storagePerCluster: expected a storage quantity/],
      [
        { quotas: { storagePerCluster: '-1Gi' } },
        /quotas\.storagePerCluster: expected a storage quantity above zero/,
      ],
      [
        { quotas: { storagePerCluster: '0' } },
        /quotas\.storagePerCluster: expected a storage quantity above zero/,
      ],
      [
        { admins: { emails: ['ada@example.com'] } },
        /admins\.emails: emails name people only with "allowVerifiedEmail": true/,
      ],
      [
        { namespaces: { emails: { 'ada@example.com': ['x'] } } },
        /namespaces\.emails: emails name people only with/,
      ],
      [
        { allowVerifiedEmail: true, admins: { emails: ['not-an-email'] } },
        /admins\.emails\.0: expected an email address/,
      ],
      [
        { images: { registries: ['postgres'] } },
        /images\.registries\.0: expected a repository with its registry host/,
      ],
      [{ images: { registries: ['ghcr.io/x/y:17'] } }, /images\.registries\.0/],
      [{ images: { catalogs: 'mine' } }, /images\.catalogs/],
      [{ roleAttributes: { superuser: 'yes' } }, /roleAttributes\.superuser/],
      [{ roleAttributes: { memberOf: ['app'] } }, /roleAttributes\.memberOf\.0: "app" is not a predefined/],
      [
        { parameters: { allow: ['archive_libary'] } },
        /parameters\.allow\.0: "archive_libary" is not a restricted PostgreSQL parameter/,
      ],
      [
        { poolerSettings: { parameters: ['max_client_conn'] } },
        /poolerSettings\.parameters\.0: "max_client_conn" is not a restricted PgBouncer parameter/,
      ],
      [{ poolerSettings: { weakHba: true } }, /poolerSettings: unknown key weakHba/],
    ];
    for (const [policy, pattern] of cases)
      assert.throws(() => parsePolicy(policy, 'p.json'), pattern, JSON.stringify(policy));
  });

  test('loadPolicy reads the file and names it in errors', () => {
    const file = join(tempDir(), 'policy.json');
    writeFileSync(file, JSON.stringify({ admins: { groups: ['ops'] }, readOnly: true }));
    assert.deepEqual(loadPolicy(file).admins.groups, ['ops']);
    writeFileSync(file, '{ not json');
    assert.throws(() => loadPolicy(file), new RegExp(`POLICY_FILE ${file}: cannot read JSON`));
    writeFileSync(file, JSON.stringify({ adminUsers: [] }));
    assert.throws(
      () => loadPolicy(file),
      new RegExp(`POLICY_FILE ${file} is invalid: \\(root\\): unknown key adminUsers`),
    );
  });
});

describe('who is an admin, and where people may work', () => {
  test('admins by subject or group; a listed subject is matched against sub only', () => {
    const policy = { admins: { subjects: ['auth0|ada'], groups: ['ops'] } };
    assert.equal(access(policy, ada).admin, true);
    assert.equal(access({ admins: { groups: ['ops'] } }, ada).admin, true);
    assert.equal(access({ admins: { subjects: ['auth0|ada'] } }, ada).admin, true);
    assert.equal(access(policy, alice).admin, false);
    // Neither the user id, nor the email, nor a preferred_username equal to a listed subject makes an admin.
    assert.equal(access({ admins: { subjects: [alice.userId, 'alice@example.com'] } }, alice).admin, false);
    const lookalike = person('auth0|eve', { preferred_username: 'auth0|ada', name: 'auth0|ada' });
    assert.equal(access(policy, lookalike).admin, false);
  });

  test('two accounts with the same unverified email are different users and neither is admin via email', () => {
    const policy = { allowVerifiedEmail: true, admins: { emails: ['ada@example.com'] } };
    assert.notEqual(mallory.userId, mallory2.userId);
    assert.notEqual(mallory.userId, ada.userId);
    assert.equal(access(policy, mallory).admin, false);
    assert.equal(access(policy, mallory2).admin, false);
    assert.equal(access(policy, ada).admin, true);
  });

  test('a verified email counts only with the opt-in, case-insensitively', () => {
    const optedIn = { allowVerifiedEmail: true, admins: { emails: ['Ada@Example.com'] } };
    assert.equal(access(optedIn, ada).admin, true);
    // Without the opt-in an email cannot even be written in the policy (tested above); a group still works.
    assert.equal(access({ admins: { groups: ['ops'] } }, mallory).admin, false);
  });

  test('namespaces: everyone ∪ subjects ∪ groups ∪ verified emails (opt-in), capped by ALLOWED_NAMESPACES', () => {
    const policy = {
      allowVerifiedEmail: true,
      admins: { groups: ['ops'] },
      namespaces: {
        everyone: ['sandbox'],
        subjects: { 'auth0|alice': ['alice'] },
        groups: { dev: ['dev', 'qa'] },
        emails: { 'ada@example.com': ['ada-only'] },
      },
    };
    assert.deepEqual(access(policy, alice).namespaces, ['alice', 'dev', 'qa', 'sandbox']);
    assert.deepEqual(access(policy, bob).namespaces, ['dev', 'qa', 'sandbox']);
    assert.deepEqual(
      access(policy, mallory).namespaces,
      ['dev', 'qa', 'sandbox'],
      'no ada-only for an unverified claim',
    );
    assert.deepEqual(access(policy, alice, ['dev', 'prod']).namespaces, ['dev']);
    const admin = access(policy, ada, ['dev', 'prod']);
    assert.equal(admin.admin, true);
    assert.equal(admin.ownershipEnforced, false);
    assert.deepEqual(admin.namespaces, ['dev', 'prod']);
    assert.ok(
      namespaceAllowed(access(policy, ada), 'anything'),
      "namespaceAllowed(access(policy, ada), 'anything')",
    );
  });

  test('read-only comes from the policy or from a token without the write scope', () => {
    const readOnly = accessFor(parsePolicy({ readOnly: true }, 't'), alice, ['*'], true, 'mcp:write');
    assert.equal(readOnly.readOnlyReason, 'the server policy is read-only');
    const noScope = accessFor(parsePolicy({}, 't'), alice, ['*'], false, 'mcp:write');
    assert.equal(noScope.readOnlyReason, 'the token lacks the mcp:write scope');
  });
});

describe('images', () => {
  const user = access({}, alice);
  const admin = access({ admins: { groups: ['ops'] } }, ada);
  const image = (ref: string) => ({ kind: 'image' as const, image: ref });

  test('the official CloudNativePG images are open to everyone, with any tag or digest', () => {
    for (const ref of [
      'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie',
      'ghcr.io/cloudnative-pg/postgresql:18',
      `ghcr.io/cloudnative-pg/postgresql@sha256:${'a'.repeat(64)}`,
      'GHCR.io/cloudnative-pg/postgresql:17',
    ])
      requireImageAllowed(user, image(ref));
  });

  test('anything else is admin-only by default, and images.registries opens it', () => {
    for (const ref of [
      'postgres:17',
      'docker.io/library/postgres:17',
      'ghcr.io/cloudnative-pg/postgresql-evil:17',
      'ghcr.io/cloudnative-pg/postgresql/evil:17',
      'ghcr.io.evil.example/cloudnative-pg/postgresql:17',
      'evil.example/ghcr.io/cloudnative-pg/postgresql:17',
      'cloudnative-pg/postgresql:17',
    ]) {
      denied(
        () => requireImageAllowed(user, image(ref)),
        'images',
        ['images.registries'],
        /not from an allowed repository/,
      );
      requireImageAllowed(admin, image(ref));
    }
    const opened = access(
      { images: { registries: ['registry.example.com/', 'docker.io/library/postgres'] } },
      alice,
    );
    requireImageAllowed(opened, image('registry.example.com/team/pg:17'));
    requireImageAllowed(opened, image('postgres:17'));
    requireImageAllowed(opened, image('index.docker.io/library/postgres:17'));
    denied(() => requireImageAllowed(opened, image('registry.example.com:5000/pg:17')), 'images', [
      'images.registries',
    ]);
    denied(() => requireImageAllowed(opened, image('docker.io/library/postgres-extra:17')), 'images', [
      'images.registries',
    ]);
  });

  test('a malformed reference is refused, naming what was expected', () => {
    for (const ref of ['', 'ghcr.io/Upper/case:1', 'a b:1', 'ghcr.io/x/y:17;rm -rf', 'ghcr.io//x:1'])
      denied(() => requireImageAllowed(user, image(ref)), 'images', [], /not a valid image reference/);
  });

  test('catalogs: admin-made ones by default, images.catalogs opens or closes them', () => {
    const catalog = (
      adminMade: boolean,
      catalogKind: 'ImageCatalog' | 'ClusterImageCatalog' = 'ImageCatalog',
    ) => ({
      kind: 'catalog' as const,
      catalogKind,
      name: 'pg',
      adminMade,
    });
    requireImageAllowed(user, catalog(true));
    requireImageAllowed(user, catalog(true, 'ClusterImageCatalog'));
    denied(
      () => requireImageAllowed(user, catalog(false)),
      'images',
      ['images.catalogs'],
      /made through cnpg-mcp/,
    );
    requireImageAllowed(admin, catalog(false));
    requireImageAllowed(access({ images: { catalogs: 'any' } }, alice), catalog(false));
    denied(
      () => requireImageAllowed(access({ images: { catalogs: 'none' } }, alice), catalog(true)),
      'images',
      ['images.catalogs'],
    );
  });
});

describe('role attributes', () => {
  const user = access({}, alice);
  const admin = access({ admins: { subjects: ['auth0|ada'] } }, ada);

  test('ordinary roles, createdb, login and harmless predefined roles are open to everyone', () => {
    requireRoleAttributesAllowed(user, {
      login: true,
      createdb: true,
      superuser: false,
      replication: false,
      inRoles: ['app', 'pg_read_all_data', 'pg_monitor', 'PG_MONITOR'],
    });
  });

  test('each dangerous attribute is admin-only by default and opened by its own key', () => {
    for (const attribute of Object.keys(
      DANGEROUS_ROLE_ATTRIBUTES,
    ) as (keyof typeof DANGEROUS_ROLE_ATTRIBUTES)[]) {
      denied(() => requireRoleAttributesAllowed(user, { [attribute]: true }), 'roleAttributes', [
        `roleAttributes.${attribute}`,
      ]);
      requireRoleAttributesAllowed(admin, { [attribute]: true });
      requireRoleAttributesAllowed(access({ roleAttributes: { [attribute]: true } }, alice), {
        [attribute]: true,
      });
    }
  });

  test('membership in dangerous or unknown predefined roles and CloudNativePG roles is admin-only; memberOf opens it', () => {
    for (const role of [
      ...Object.keys(DANGEROUS_MEMBERSHIPS),
      'pg_future_power',
      'PG_EXECUTE_SERVER_PROGRAM',
    ]) {
      denied(() => requireRoleAttributesAllowed(user, { inRoles: ['app', role] }), 'roleAttributes', [
        'roleAttributes.memberOf',
      ]);
      requireRoleAttributesAllowed(admin, { inRoles: [role] });
      requireRoleAttributesAllowed(access({ roleAttributes: { memberOf: [role] } }, alice), {
        inRoles: [role],
      });
    }
  });

  test('one refusal lists every problem and every key', () => {
    denied(
      () =>
        requireRoleAttributesAllowed(user, {
          superuser: true,
          bypassrls: true,
          inRoles: ['pg_read_server_files'],
        }),
      'roleAttributes',
      ['roleAttributes.superuser', 'roleAttributes.bypassrls', 'roleAttributes.memberOf'],
      /SUPERUSER.*BYPASSRLS.*membership in pg_read_server_files/,
    );
  });
});

describe('PostgreSQL parameters', () => {
  const user = access({}, alice);
  const admin = access({ admins: { groups: ['ops'] } }, ada);

  test('ordinary parameters, safe values and removals are open to everyone', () => {
    requireParametersAllowed(user, {
      work_mem: '4MB',
      max_connections: '200',
      shared_buffers: '256MB',
      'pg_stat_statements.max': '10000',
      password_encryption: 'scram-sha-256',
      ssl_min_protocol_version: 'TLSv1.2',
      archive_library: null,
    });
  });

  test('each restricted parameter is admin-only by default, named case-insensitively, and opened by parameters.allow', () => {
    for (const name of Object.keys(RESTRICTED_POSTGRES_PARAMETERS)) {
      for (const given of [name, name.toUpperCase()]) {
        denied(
          () => requireParametersAllowed(user, { work_mem: '4MB', [given]: 'x' }),
          'parameters',
          ['parameters.allow'],
          new RegExp(given.replace('.', '\\.')),
        );
        requireParametersAllowed(admin, { [given]: 'x' });
        requireParametersAllowed(access({ parameters: { allow: [name] } }, alice), { [given]: 'x' });
      }
    }
  });

  test('weak values of value-checked parameters are refused', () => {
    denied(() => requireParametersAllowed(user, { password_encryption: 'md5' }), 'parameters', [
      'parameters.allow',
    ]);
    denied(() => requireParametersAllowed(user, { ssl_min_protocol_version: 'TLSv1' }), 'parameters', [
      'parameters.allow',
    ]);
  });
});

describe('PgBouncer settings', () => {
  const user = access({}, alice);
  const admin = access({ admins: { groups: ['ops'] } }, ada);

  test('ordinary settings, safe values and removals are open to everyone', () => {
    requirePoolerSettingsAllowed(user, {
      parameters: {
        max_client_conn: '500',
        default_pool_size: '20',
        auth_type: 'scram-sha-256',
        client_tls_sslmode: 'require',
        server_tls_sslmode: 'verify-full',
        server_check_query: null,
      },
      pg_hba: ['host all all 10.0.0.0/8 scram-sha-256', 'hostssl all all all cert', '# trust nobody', ''],
    });
  });

  test('each restricted parameter is admin-only by default and opened by poolerSettings.parameters', () => {
    for (const name of Object.keys(RESTRICTED_POOLER_PARAMETERS)) {
      denied(
        () => requirePoolerSettingsAllowed(user, { parameters: { [name]: 'trust' } }),
        'poolerSettings',
        ['poolerSettings.parameters'],
        new RegExp(name),
      );
      requirePoolerSettingsAllowed(admin, { parameters: { [name]: 'trust' } });
      requirePoolerSettingsAllowed(access({ poolerSettings: { parameters: [name] } }, alice), {
        parameters: { [name]: 'trust' },
      });
    }
    denied(
      () => requirePoolerSettingsAllowed(user, { parameters: { server_tls_sslmode: 'require' } }),
      'poolerSettings',
      ['poolerSettings.parameters'],
    );
    denied(
      () => requirePoolerSettingsAllowed(user, { parameters: { client_tls_sslmode: 'disable' } }),
      'poolerSettings',
      ['poolerSettings.parameters'],
    );
  });

  test('a custom auth query is admin-only by default and opened by poolerSettings.authQuery', () => {
    for (const settings of [
      { authQuery: 'SELECT usename, passwd FROM pg_shadow WHERE usename=$1' },
      { authQuerySecret: { name: 's' } },
    ]) {
      denied(() => requirePoolerSettingsAllowed(user, settings), 'poolerSettings', [
        'poolerSettings.authQuery',
      ]);
      requirePoolerSettingsAllowed(admin, settings);
      requirePoolerSettingsAllowed(access({ poolerSettings: { authQuery: true } }, alice), settings);
    }
  });

  test('pg_hba lines with trust or password are admin-only by default and opened by poolerSettings.weakHbaMethods', () => {
    for (const line of [
      'host all all 0.0.0.0/0 trust',
      'host all all 10.0.0.0 255.0.0.0 trust',
      'HOST all all all TRUST',
      'host all all cafe trust clientcert=verify-ca',
      'local all all "trust"',
      'hostnossl all all all password',
      'host all all all trust # comment',
    ]) {
      denied(() => requirePoolerSettingsAllowed(user, { pg_hba: [line] }), 'poolerSettings', [
        'poolerSettings.weakHbaMethods',
      ]);
      requirePoolerSettingsAllowed(admin, { pg_hba: [line] });
      requirePoolerSettingsAllowed(access({ poolerSettings: { weakHbaMethods: true } }, alice), {
        pg_hba: [line],
      });
    }
  });
});

describe('ownership, unlabelled objects and reads', () => {
  const ownedBy = (identity: Identity): Labelled => ({
    metadata: { labels: { [OWNER_LABEL]: identity.userId } },
  });
  const unlabelled: Labelled = { metadata: { labels: { app: 'x' } } };
  const user = access({}, alice);
  const admin = access({ admins: { groups: ['ops'] } }, ada);

  test('ownership: creators and admins only, unless ownership.enforced is false', () => {
    requireOwnership(user, alice, ownedBy(alice), 'cluster a');
    denied(
      () => requireOwnership(user, alice, ownedBy(bob), 'cluster b'),
      'ownership',
      [],
      /created by auth0-bob-/,
    );
    requireOwnership(admin, ada, ownedBy(bob), 'cluster b');
    requireOwnership(access({ ownership: { enforced: false } }, alice), alice, ownedBy(bob), 'cluster b');
  });

  test('an account with the same unverified email does not own the other account’s objects', () => {
    denied(
      () => requireOwnership(access({}, mallory2), mallory2, ownedBy(mallory), 'cluster m'),
      'ownership',
      [],
    );
  });

  test('unlabelled objects: admins only by default, ownership.unlabelled opens them, even with ownership off', () => {
    for (const policy of [{}, { ownership: { enforced: false } }]) {
      denied(
        () => requireOwnership(access(policy, alice), alice, unlabelled, 'cluster legacy'),
        'unlabelled',
        ['ownership.unlabelled'],
        /not created through cnpg-mcp/,
      );
    }
    requireOwnership(admin, ada, unlabelled, 'cluster legacy');
    requireOwnership(
      access({ ownership: { unlabelled: 'everyone' } }, alice),
      alice,
      unlabelled,
      'cluster legacy',
    );
  });

  test('reads are namespace-wide by default', () => {
    requireReadable(user, alice, ownedBy(bob), 'cluster b');
    requireReadable(user, alice, unlabelled, 'cluster legacy');
    assert.equal([ownedBy(bob), unlabelled].filter(readableFilter(user, alice)).length, 2);
  });

  test('reads: owned limits non-admins to their own objects (unlabelled ones as ownership.unlabelled says)', () => {
    const owned = access({ reads: 'owned' }, alice);
    requireReadable(owned, alice, ownedBy(alice), 'cluster a');
    denied(
      () => requireReadable(owned, alice, ownedBy(bob), 'cluster b'),
      'reads',
      ['reads'],
      /created by auth0-bob-/,
    );
    denied(() => requireReadable(owned, alice, unlabelled, 'cluster legacy'), 'reads', ['reads']);
    const objects = [ownedBy(alice), ownedBy(bob), unlabelled];
    assert.deepEqual(objects.filter(readableFilter(owned, alice)), [ownedBy(alice)]);
    assert.equal(
      objects.filter(readableFilter(access({ reads: 'owned', admins: { groups: ['ops'] } }, ada), ada))
        .length,
      3,
    );
    const openUnlabelled = access({ reads: 'owned', ownership: { unlabelled: 'everyone' } }, alice);
    requireReadable(openUnlabelled, alice, unlabelled, 'cluster legacy');
  });
});

describe('docs/remote-api.md', () => {
  test('names every restricted setting and role the checks know', () => {
    const docs = readFileSync(new URL('../../../../docs/remote-api.md', import.meta.url), 'utf8');
    const names = [
      ...Object.keys(RESTRICTED_POSTGRES_PARAMETERS),
      ...Object.keys(RESTRICTED_POOLER_PARAMETERS),
      ...Object.keys(DANGEROUS_MEMBERSHIPS),
      ...HARMLESS_PREDEFINED_ROLES,
      ...Object.keys(DANGEROUS_ROLE_ATTRIBUTES).map((attribute) => `roleAttributes.${attribute}`),
    ];
    const missing = names.filter((name) => !docs.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });
});
