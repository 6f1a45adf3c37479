// The CRDs' x-kubernetes-validations (CEL) rules, as CloudNativePG 1.30 publishes them in
// config/crd/bases: what they refuse, on which field, and how the API server words it — including a
// rule whose evaluation fails and the rules skipped when the schema already refuses the object.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterManifest, cnpg, expectStatus, openTarget, type Target } from '../support/kube-support.js';

const causes = (body: { details?: { causes?: { field?: string; message: string }[] } }) =>
  body.details?.causes?.map((c) => `${c.field}: ${c.message}`).sort();

describe('CNPG CRD CEL rules (x-kubernetes-validations)', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  const publication = (name: string, target: Record<string, unknown>) => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Publication',
    metadata: { name },
    spec: { cluster: { name: 'pg' }, name, dbname: 'app', target },
  });

  test('a Publication may not list columns when it also publishes tablesInSchema', async () => {
    const body = await expectStatus(
      cnpg(t, 'publications').create(
        publication('pub-cols', {
          objects: [{ table: { name: 'orders', columns: ['id'] } }, { tablesInSchema: 'sales' }],
        }),
      ),
      422,
    );
    assert.equal(
      body.message,
      'Publication.postgresql.cnpg.io "pub-cols" is invalid: spec.target.objects: Invalid value: specifying a column list when the publication also publishes tablesInSchema is not supported',
    );
    assert.deepEqual(body.details?.causes, [
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: specifying a column list when the publication also publishes tablesInSchema is not supported',
        field: 'spec.target.objects',
      },
    ]);
    const list = await cnpg(t, 'publications').list();
    assert.ok(!list.items.some((p) => p.metadata?.name === 'pub-cols'), 'nothing was stored');
    // Columns without tablesInSchema, and tablesInSchema without columns, are both fine.
    await cnpg(t, 'publications').create(
      publication('pub-ok', { objects: [{ table: { name: 'orders', columns: ['id'] } }] }),
    );
    await cnpg(t, 'publications').create(
      publication('pub-ok-2', { objects: [{ table: { name: 'orders' } }, { tablesInSchema: 'sales' }] }),
    );
  });

  test('Publication targets: allTables XOR objects, table XOR tablesInSchema, allTables immutable', async () => {
    const both = await expectStatus(
      cnpg(t, 'publications').create(
        publication('pub-both', { allTables: true, objects: [{ tablesInSchema: 'x' }] }),
      ),
      422,
    );
    assert.deepEqual(causes(both), [
      'spec.target: Invalid value: allTables and objects are mutually exclusive',
    ]);
    const mixed = await expectStatus(
      cnpg(t, 'publications').create(
        publication('pub-mixed', { objects: [{ tablesInSchema: 'x', table: { name: 't' } }] }),
      ),
      422,
    );
    assert.deepEqual(causes(mixed), [
      'spec.target.objects[0]: Invalid value: tablesInSchema and table are mutually exclusive',
    ]);
    await cnpg(t, 'publications').create(publication('pub-all', { allTables: true }));
    const flipped = await expectStatus(
      cnpg(t, 'publications').merge('pub-all', { spec: { target: { allTables: false } } }),
      422,
    );
    assert.deepEqual(causes(flipped), [
      'spec.target.allTables: Invalid value: false: allTables is immutable',
    ]);
  });

  test('Cluster: synchronous replication rules and imageCatalogRef kinds', async () => {
    const sync = await expectStatus(
      cnpg(t, 'clusters').create(
        clusterManifest('cel-sync', {
          instances: 3,
          postgresql: {
            synchronous: { method: 'any', number: 0, dataDurability: 'preferred', standbyNamesPre: ['a'] },
          },
        }),
      ),
      422,
    );
    assert.deepEqual(causes(sync), [
      'spec.postgresql.synchronous.number: Invalid value: 0: The number of synchronous replicas should be greater than zero',
      "spec.postgresql.synchronous: Invalid value: dataDurability set to 'preferred' requires empty 'standbyNamesPre' and empty 'standbyNamesPost'",
    ]);
    const catalog = await expectStatus(
      cnpg(t, 'clusters').create(
        clusterManifest('cel-catalog', {
          imageCatalogRef: { apiGroup: 'apps', kind: 'ConfigMap', name: 'x', major: 18 },
        }),
      ),
      422,
    );
    assert.deepEqual(causes(catalog), [
      'spec.imageCatalogRef: Invalid value: Only image catalogs are supported',
      'spec.imageCatalogRef: Invalid value: Only image catalogs are supported',
    ]);
  });

  test('a rule whose evaluation fails is reported with the evaluation error', async () => {
    // builtinLocale without localeProvider: the rule reads self.localeProvider, which is absent.
    const body = await expectStatus(
      cnpg(t, 'databases').create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Database',
        metadata: { name: 'db-locale' },
        spec: { cluster: { name: 'pg' }, name: 'reports', owner: 'app', builtinLocale: 'C.UTF-8' },
      }),
      422,
    );
    assert.deepEqual(causes(body), [
      'spec: Invalid value: "object": no such key: localeProvider evaluating rule: builtinLocale is only available when localeProvider is set to `builtin`',
    ]);
  });

  test('DatabaseRole: reserved names, ensure absent and password rules', async () => {
    const role = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'DatabaseRole',
      metadata: { name },
      spec: { cluster: { name: 'pg' }, ...spec },
    });
    const reserved = await expectStatus(
      cnpg(t, 'databaseroles').create(role('r-pg', { name: 'pg_monitor' })),
      422,
    );
    assert.match(
      reserved.message,
      /DatabaseRole\.postgresql\.cnpg\.io "r-pg" is invalid: spec: Invalid value: /,
    );
    const absent = await expectStatus(
      cnpg(t, 'databaseroles').create(role('r-absent', { name: 'reporting', ensure: 'absent' })),
      422,
    );
    assert.match(absent.message, /ensure: absent is not supported for DatabaseRole/);
    const both = await expectStatus(
      cnpg(t, 'databaseroles').create(
        role('r-both', { name: 'reporting', passwordSecret: { name: 's' }, disablePassword: true }),
      ),
      422,
    );
    assert.equal(both.details?.causes?.length, 1);
  });

  test('ImageCatalog majors must be unique', async () => {
    const body = await expectStatus(
      cnpg(t, 'imagecatalogs').create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ImageCatalog',
        metadata: { name: 'dup' },
        spec: {
          images: [
            { major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.6' },
            { major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.5' },
          ],
        },
      }),
      422,
    );
    assert.deepEqual(causes(body), ['spec.images: Invalid value: Images must have unique major versions']);
  });
});
