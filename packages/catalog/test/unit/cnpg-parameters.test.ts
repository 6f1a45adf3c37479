/** CloudNativePG's parameter rules (v1.30.0 pkg/postgres/configuration.go and the cluster webhook), as facts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CNPG_FIXED_PARAMETERS,
  cnpgParameterProblems,
  parsePostgresBoolean,
  parsePostgresSize,
} from '../../src/cnpg-parameters.js';

const one = { instances: 1 };
const three = { instances: 3 };
const refused = (
  parameters: Record<string, string>,
  context: Parameters<typeof cnpgParameterProblems>[1] = one,
) => cnpgParameterProblems(parameters, context).map((p) => p.parameter);

describe('operator-owned parameters', () => {
  test('those CloudNativePG owns are refused, at any value but its own', () => {
    for (const name of [
      'temp_tablespaces',
      'synchronized_standby_slots',
      'pg_failover_slots.primary_dsn',
      'pg_failover_slots.standby_slot_names',
      'port',
      'archive_command',
      'shared_preload_libraries',
      'listen_addresses',
    ]) {
      assert.deepEqual(refused({ [name]: 'x' }), [name], name);
    }
  });

  test('those it does not own are accepted (PostgreSQL settings a person may tune)', () => {
    for (const name of [
      'full_page_writes',
      'krb_server_keyfile',
      'ssl_ciphers',
      'ssl_min_protocol_version',
    ]) {
      assert.equal(CNPG_FIXED_PARAMETERS[name], undefined, name);
    }
    assert.deepEqual(
      refused({ full_page_writes: 'on', krb_server_keyfile: '/etc/keytab', work_mem: '8MB' }),
      [],
    );
    assert.deepEqual(refused({ wal_log_hints: 'on' }, three), []);
  });

  test('a fixed parameter may be "set" to the value CloudNativePG itself gives it', () => {
    assert.deepEqual(
      refused({ log_destination: 'csvlog', archive_mode: 'on', shared_preload_libraries: '' }),
      [],
    );
    assert.deepEqual(refused({ log_destination: 'stderr' }), ['log_destination']);
    assert.deepEqual(refused({ archive_mode: 'off' }), ['archive_mode']);
    assert.deepEqual(refused({ archive_mode: 'off' }, { instances: 1, archiveMode: 'off' }), []);
  });

  test('names must be GUC names', () => {
    assert.deepEqual(refused({ 'a.b.c': '1', '1abc': '1' }), ['a.b.c', '1abc']);
    assert.deepEqual(refused({ 'pg_stat_statements.max': '1000' }), []);
  });
});

describe('wal_level', () => {
  test('minimal needs one instance, no WAL archiving and no WAL senders', () => {
    assert.deepEqual(refused({ wal_level: 'minimal', max_wal_senders: '0' }, three), ['wal_level']);
    assert.deepEqual(refused({ wal_level: 'minimal', max_wal_senders: '0' }), ['wal_level']);
    assert.deepEqual(
      refused({ wal_level: 'minimal', max_wal_senders: '0' }, { instances: 1, archiveMode: 'off' }),
      [],
    );
    assert.deepEqual(refused({ wal_level: 'minimal' }, { instances: 1, archiveMode: 'off' }), [
      'max_wal_senders',
    ]);
  });
  test('an unknown level is refused', () => {
    assert.deepEqual(refused({ wal_level: 'archive' }), ['wal_level']);
  });
});

describe('values CloudNativePG reads', () => {
  test('PostgreSQL booleans, prefixes included', () => {
    assert.equal(parsePostgresBoolean('ON'), true);
    assert.equal(parsePostgresBoolean('fal'), false);
    assert.equal(parsePostgresBoolean('maybe'), undefined);
    assert.deepEqual(refused({ hot_standby_feedback: 'maybe', sync_replication_slots: 'yes' }), [
      'hot_standby_feedback',
    ]);
    assert.deepEqual(refused({ wal_log_hints: 'off' }, three), ['wal_log_hints']);
    assert.deepEqual(refused({ wal_log_hints: 'off' }), []);
  });

  test('sizes: a bare number is MB, units end in B and are binary', () => {
    assert.equal(parsePostgresSize('512'), 512 * 2 ** 20);
    assert.equal(parsePostgresSize('1GB'), 2 ** 30);
    assert.equal(parsePostgresSize('80kB'), 80 * 1024);
    assert.equal(parsePostgresSize('2 GB'), 2 * 2 ** 30);
    assert.equal(parsePostgresSize('1Gi'), undefined);
    assert.equal(parsePostgresSize('lots'), undefined);
    assert.deepEqual(refused({ shared_buffers: 'lots' }), ['shared_buffers']);
    assert.deepEqual(refused({ shared_buffers: '256MB' }), []);
  });

  test('min_wal_size below max_wal_size (defaults 80MB and 1GB), both readable', () => {
    assert.deepEqual(refused({ min_wal_size: '2GB' }), ['min_wal_size']);
    assert.deepEqual(refused({ min_wal_size: '1GB', max_wal_size: '1GB' }), ['min_wal_size']);
    assert.deepEqual(refused({ max_wal_size: '1Gi' }), ['max_wal_size']);
    assert.deepEqual(refused({ min_wal_size: '100MB', max_wal_size: '4GB' }), []);
  });

  test('a WAL size set by the cluster must fit in its WAL volume', () => {
    const wal = { instances: 1, walStorageSize: '1Gi' };
    assert.deepEqual(refused({ max_wal_size: '1GB' }, wal), ['max_wal_size']);
    assert.deepEqual(refused({ max_wal_size: '512MB', min_wal_size: '1GB' }, wal), [
      'min_wal_size',
      'min_wal_size',
    ]);
    assert.deepEqual(refused({ max_wal_size: '512MB' }, wal), []);
    // The default 1GB max_wal_size is not held against a 1Gi volume: only what the cluster sets is.
    assert.deepEqual(refused({}, wal), []);
  });
});
