import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogLine } from '../../src/tools/observability/log-lines.js';

test('a PostgreSQL record becomes an entry with its severity mapped to a level', () => {
  const line = JSON.stringify({
    level: 'info',
    ts: '2026-08-21T10:15:00.123456789Z',
    logger: 'postgres',
    msg: 'record',
    logging_pod: 'pg-1',
    record: {
      log_time: '2026-08-21 10:15:00.123 UTC',
      user_name: 'app',
      database_name: 'app',
      error_severity: 'ERROR',
      sql_state_code: '42P01',
      message: 'relation "orders" does not exist',
      hint: 'Check the name.',
    },
  });
  assert.deepEqual(parseLogLine('pg-1', line), {
    pod: 'pg-1',
    time: '2026-08-21T10:15:00.123456789Z',
    level: 'error',
    logger: 'postgres',
    message: 'relation "orders" does not exist (Check the name.)',
    severity: 'ERROR',
    user: 'app',
    database: 'app',
    sqlState: '42P01',
  });
});

test('severities and instance-manager levels map to debug, info, warning, error, fatal', () => {
  const pg = (severity: string) =>
    parseLogLine(
      'p',
      JSON.stringify({ logger: 'postgres', record: { error_severity: severity, message: 'm' } }),
    ).level;
  assert.deepEqual(['DEBUG2', 'LOG', 'NOTICE', 'WARNING', 'ERROR', 'FATAL', 'PANIC'].map(pg), [
    'debug',
    'info',
    'info',
    'warning',
    'error',
    'fatal',
    'fatal',
  ]);
  const manager = (level: string) =>
    parseLogLine('p', JSON.stringify({ level, logger: 'instance-manager', msg: 'm' })).level;
  assert.deepEqual(['debug', 'info', 'warning', 'error'].map(manager), ['debug', 'info', 'warning', 'error']);
});

test('older epoch timestamps, errors and non-JSON lines', () => {
  const manager = parseLogLine(
    'p',
    JSON.stringify({
      level: 'error',
      ts: 1619781249.718,
      logger: 'wal-archive',
      msg: 'failed to archive',
      error: 'timeout',
    }),
  );
  assert.equal(manager.time, '2021-04-30T11:14:09.718Z');
  assert.equal(manager.message, 'failed to archive: timeout');
  assert.equal(manager.logger, 'wal-archive');
  const plain = parseLogLine('p', 'plain text from a shell script');
  assert.deepEqual(
    [plain.level, plain.logger, plain.message],
    ['info', '', 'plain text from a shell script'],
  );
  assert.equal(parseLogLine('p', '{not json').message, '{not json');
});
