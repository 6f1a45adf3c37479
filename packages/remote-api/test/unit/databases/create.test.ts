import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseCreate } from '@cnpg-mcp/catalog';
import { databaseCreateTool, planDatabaseCreate } from '../../../src/tools/databases/create.js';
import { accessOf, admin, alice, bob, deniedBy, type Loose, refusedWith } from '../backups/fixtures.js';
import { cluster, database, described, NS, resolveFor } from '../roles/fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  databaseCreate.inputSchema.parse({ cluster: 'pg', name: 'shop', owner: 'app', ...input });

describe('planDatabaseCreate', () => {
  test('a Database object naming its cluster, with only the settings given', () => {
    const { objectName, body } = planDatabaseCreate(
      args({
        locale_provider: 'icu',
        icu_locale: 'en-US',
        extensions: [{ name: 'hstore' }],
        schemas: [{ name: 's' }],
      }),
      [],
      NS,
      accessOf(alice),
    );
    assert.equal(objectName, 'pg-shop');
    assert.deepEqual(body as Loose, {
      metadata: { name: 'pg-shop', labels: { 'cnpg.io/cluster': 'pg' } },
      spec: {
        cluster: { name: 'pg' },
        name: 'shop',
        owner: 'app',
        ensure: 'present',
        databaseReclaimPolicy: 'retain',
        localeProvider: 'icu',
        icuLocale: 'en-US',
        extensions: [{ name: 'hstore', ensure: 'present' }],
        schemas: [{ name: 's', ensure: 'present' }],
      },
    });
  });

  const refusals: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'a builtin locale without its provider',
      { builtin_locale: 'C.UTF-8' },
      'invalid_input',
      /builtin_locale: needs locale_provider "builtin"/,
    ],
    [
      'an ICU locale without ICU',
      { icu_locale: 'en-US' },
      'invalid_input',
      /icu_locale: needs locale_provider "icu"/,
    ],
    [
      'an extension twice',
      { extensions: [{ name: 'a' }, { name: 'a' }] },
      'invalid_input',
      /extensions\.1\.name: "a" is listed twice/,
    ],
    ['a schema twice', { schemas: [{ name: 'a' }, { name: 'a' }] }, 'invalid_input', /schemas\.1\.name/],
  ];
  for (const [what, input, kind, message] of refusals) {
    test(`refuses ${what}`, () => {
      assert.throws(
        () => planDatabaseCreate(args(input), [], NS, accessOf(alice)),
        refusedWith(kind as never, message),
      );
    });
  }

  test('refuses a database the cluster already declares, under any object name', () => {
    const existing = [database('pg', 'shop', alice), database('other', 'x', alice)];
    existing[0]!.metadata.name = 'made-elsewhere';
    assert.throws(
      () => planDatabaseCreate(args(), existing, NS, accessOf(alice)),
      refusedWith('precondition', /database "shop" is already declared on team-a\/pg by made-elsewhere/),
    );
    planDatabaseCreate(args({ cluster: 'third' }), existing, NS, accessOf(alice));
  });
});

describe('database_create and the extensions rule', () => {
  const untrusted = { extensions: [{ name: 'plpython3u' }, { name: 'hstore' }, { name: 'file_fdw' }] };
  test('an extension PostgreSQL does not mark trusted is refused, naming it and the policy key', () => {
    assert.throws(
      () => planDatabaseCreate(args(untrusted), [], NS, accessOf(alice)),
      deniedBy(
        'extensions',
        /only an admin may create the extensions plpython3u, file_fdw: .*extensions\.allowed/,
      ),
    );
  });
  test('trusted ones pass by default; a name, "*" or an admin opens the others', () => {
    planDatabaseCreate(
      args({ extensions: [{ name: 'hstore' }, { name: 'pg_trgm' }] }),
      [],
      NS,
      accessOf(alice),
    );
    planDatabaseCreate(args(untrusted), [], NS, accessOf(admin));
    planDatabaseCreate(args(untrusted), [], NS, accessOf(alice, { extensions: { allowed: ['*'] } }));
    const named = accessOf(alice, { extensions: { allowed: ['trusted', 'PLPYTHON3U', 'file_fdw'] } });
    planDatabaseCreate(args(untrusted), [], NS, named);
    assert.throws(
      () =>
        planDatabaseCreate(
          args({ extensions: [{ name: 'hstore' }] }),
          [],
          NS,
          accessOf(alice, { extensions: { allowed: ['vector'] } }),
        ),
      deniedBy('extensions', /hstore/),
      'without "trusted" in the list, only the names listed',
    );
  });
});

describe('database_create references', () => {
  test('uses its cluster, creates the Database', async () => {
    const resolved = await resolveFor(databaseCreateTool.references, args(), [cluster('pg', alice)]);
    assert.deepEqual(described(resolved), ['use Cluster pg', 'create Database pg-shop']);
  });

  test('bob cannot declare a database on alice’s cluster; a missing cluster is not found', async () => {
    await assert.rejects(
      resolveFor(databaseCreateTool.references, args(), [cluster('pg', alice)], { who: bob }),
      deniedBy('ownership', /the cluster of the database \(Cluster team-a\/pg\) was created by alice-/),
    );
    await assert.rejects(
      resolveFor(databaseCreateTool.references, args(), []),
      refusedWith('not_found', /Cluster team-a\/pg not found; cluster_list shows what exists/),
    );
  });
});
