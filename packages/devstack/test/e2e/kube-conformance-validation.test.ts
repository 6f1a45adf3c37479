import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterManifest, cnpg, expectStatus, openTarget, type Target } from '../support/kube-support.js';

const WEBHOOK = 'admission webhook "vcluster.cnpg.io" denied the request: ';

describe('CNPG admission conformance: schema and webhook rules answer 422 with causes', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  const rejectCluster = async (name: string, spec: Record<string, unknown>) =>
    expectStatus(cnpg(t, 'clusters').create(clusterManifest(name, spec)), 422);

  test('instances below 1 fail the CRD schema (no webhook prefix)', async () => {
    const body = await rejectCluster('bad-instances', { instances: 0 });
    assert.equal(body.reason, 'Invalid');
    assert.equal(
      body.message,
      'Cluster.postgresql.cnpg.io "bad-instances" is invalid: spec.instances: Invalid value: 0: spec.instances in body should be greater than or equal to 1',
    );
    assert.deepEqual(body.details, {
      name: 'bad-instances',
      group: 'postgresql.cnpg.io',
      kind: 'Cluster',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0: spec.instances in body should be greater than or equal to 1',
          field: 'spec.instances',
        },
      ],
    });
  });

  test('enums and types are checked', async () => {
    const body = await rejectCluster('bad-enum', { logLevel: 'loud', instances: 'three' });
    const fields = body.details?.causes?.map((c) => `${c.reason} ${c.field}`).sort();
    // The CRD has CEL rules; the API server skips them when the schema already refuses the object.
    assert.deepEqual(fields, [
      'FieldValueInvalid <nil>',
      'FieldValueNotSupported spec.logLevel',
      'FieldValueTypeInvalid spec.instances',
    ]);
    assert.match(
      body.message,
      /<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation/,
    );
    assert.match(
      body.message,
      /spec\.logLevel: Unsupported value: "loud": supported values: "error", "warning", "info", "debug", "trace"/,
    );
  });

  test('cluster names must be DNS-1035 labels of at most 50 characters', async () => {
    const long = `a${'b'.repeat(50)}`;
    const tooLong = await rejectCluster(long, {});
    assert.equal(
      tooLong.message,
      `${WEBHOOK}Cluster.postgresql.cnpg.io "${long}" is invalid: metadata.name: Invalid value: "${long}": the maximum length of a cluster name is 50 characters`,
    );
    const digit = await rejectCluster('1abc', {});
    assert.equal(digit.details?.causes?.[0]?.field, 'metadata.name');
    assert.match(digit.message, /cluster name must be a valid DNS label/);
  });

  test('storage size must be a quantity', async () => {
    const body = await rejectCluster('bad-size', { storage: { size: 'ten' } });
    assert.equal(
      body.message,
      `${WEBHOOK}Cluster.postgresql.cnpg.io "bad-size" is invalid: spec.storage.size: Invalid value: "ten": Size value isn't valid`,
    );
    assert.deepEqual(body.details?.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "ten": Size value isn\'t valid',
        field: 'spec.storage.size',
      },
    ]);
  });

  test('imageName and imageCatalogRef are exclusive; image tags are checked', async () => {
    const both = await rejectCluster('both-images', {
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17.5',
      imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'cat', major: 17 },
    });
    assert.match(both.message, /spec: Invalid value: imageName and imageCatalogRef are mutually exclusive/);
    const latest = await rejectCluster('latest-image', {
      imageName: 'ghcr.io/cloudnative-pg/postgresql:latest',
    });
    assert.match(
      latest.message,
      /spec\.imageName: Invalid value: "ghcr\.io\/cloudnative-pg\/postgresql:latest": Can't use 'latest' as image tag/,
    );
  });

  test('one bootstrap method; initdb database and owner go together', async () => {
    const two = await rejectCluster('two-boot', {
      bootstrap: { initdb: { database: 'a', owner: 'a' }, pg_basebackup: { source: 'x' } },
    });
    assert.match(
      two.message,
      /spec\.bootstrap: Forbidden: Only one bootstrap method can be specified at a time/,
    );
    const owner = await rejectCluster('owner-only', { bootstrap: { initdb: { owner: 'bob' } } });
    assert.equal(owner.details?.causes?.[0]?.field, 'spec.bootstrap.initdb.database');
  });

  test('parameters the operator owns cannot be set', async () => {
    const body = await rejectCluster('fixed-param', {
      postgresql: { parameters: { listen_addresses: '127.0.0.1', work_mem: '8MB' } },
    });
    assert.equal(
      body.message,
      `${WEBHOOK}Cluster.postgresql.cnpg.io "fixed-param" is invalid: spec.postgresql.parameters.listen_addresses: Invalid value: "127.0.0.1": Can't set fixed configuration parameter`,
    );
    const hints = await rejectCluster('hints', {
      instances: 2,
      postgresql: { parameters: { wal_log_hints: 'off' } },
    });
    assert.match(hints.message, /`wal_log_hints` must be set to `on` when `instances` > 1/);
  });

  test('managed roles: reserved names and duplicates are refused', async () => {
    const body = await rejectCluster('bad-roles', {
      managed: { roles: [{ name: 'postgres' }, { name: 'dup' }, { name: 'dup' }] },
    });
    const fields = body.details?.causes?.map((c) => c.field);
    assert.deepEqual(fields, ['spec.managed.roles[0].name', 'spec.managed.roles[2].name']);
    assert.match(body.message, /This role is reserved for operator use/);
    assert.match(body.message, /Role name is duplicate of another/);
  });

  test('ScheduledBackup schedules must parse as cron', async () => {
    const body = await expectStatus(
      cnpg(t, 'scheduledbackups').create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: { name: 'sb-bad' },
        spec: { schedule: 'every day', cluster: { name: 'x' } },
      }),
      422,
    );
    assert.equal(body.details?.causes?.[0]?.field, 'spec.schedule');
    assert.match(body.message, /^admission webhook "vscheduledbackup\.cnpg\.io" denied the request: /);
    const missing = await expectStatus(
      cnpg(t, 'scheduledbackups').create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: { name: 'sb-missing' },
        spec: { cluster: { name: 'x' } },
      }),
      422,
    );
    assert.deepEqual(missing.details?.causes, [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.schedule' },
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        field: '<nil>',
      },
    ]);
  });

  test('a Pooler may not share its name with a Cluster', async () => {
    await cnpg(t, 'clusters').create(clusterManifest('shared'));
    const body = await expectStatus(
      cnpg(t, 'poolers').create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Pooler',
        metadata: { name: 'shared' },
        spec: { cluster: { name: 'shared' }, pgbouncer: { poolMode: 'session' } },
      }),
      422,
    );
    assert.equal(
      body.message,
      'admission webhook "vpooler.cnpg.io" denied the request: Pooler.postgresql.cnpg.io "shared" is invalid: metadata.name: Invalid value: "shared": the pooler resource cannot have the same name of a cluster',
    );
  });

  test('Database names and cluster references are immutable; reserved names are refused', async () => {
    const dbs = cnpg(t, 'databases');
    const reserved = await expectStatus(
      dbs.create({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Database',
        metadata: { name: 'db-reserved' },
        spec: { cluster: { name: 'c' }, name: 'postgres', owner: 'app' },
      }),
      422,
    );
    assert.match(reserved.message, /spec\.name: Invalid value: "postgres": the name postgres is reserved/);
    await dbs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'db-imm' },
      spec: { cluster: { name: 'c' }, name: 'analytics', owner: 'app' },
    });
    const renamed = await expectStatus(
      dbs.merge('db-imm', { spec: { name: 'other', cluster: { name: 'd' } } }),
      422,
    );
    const messages = renamed.details?.causes?.map((c) => `${c.field}: ${c.message}`).sort();
    assert.deepEqual(messages, [
      'spec.cluster: Invalid value: cluster reference is immutable after creation',
      'spec.name: Invalid value: "other": name is immutable',
    ]);
  });

  test('strict field validation rejects unknown fields with 400', async () => {
    const body = await expectStatus(
      cnpg(t, 'clusters').create(clusterManifest('strict-1', { bogus: 1 }), { fieldValidation: 'Strict' }),
      400,
    );
    assert.equal(body.message, 'strict decoding error: unknown field "spec.bogus"');
  });
});
