import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterLogs } from '@cnpg-mcp/catalog';
import { clusterLogsTool, filterLog, podsToRead } from '../../../src/tools/observability/cluster-logs.js';
import { refusedWith } from '../backups/fixtures.js';

const args = (input: Record<string, unknown> = {}) => clusterLogs.inputSchema.parse({ name: 'pg', ...input });

test('cluster_logs: every instance pod or the one named (refused when it has none)', () => {
  assert.deepEqual(podsToRead(args(), 'team-a', ['pg-1', 'pg-2']), ['pg-1', 'pg-2']);
  assert.deepEqual(podsToRead(args({ instance: 'pg-2' }), 'team-a', ['pg-1', 'pg-2']), ['pg-2']);
  assert.throws(
    () => podsToRead(args({ instance: 'pg-9' }), 'team-a', ['pg-1']),
    refusedWith('not_found', /instance "pg-9" has no pod in cluster team-a\/pg \(pods: pg-1\)/),
  );
});

test('cluster_logs: level, logger and text filters; every non-empty line is scanned; it reads the Cluster', () => {
  const line = (level: string, logger: string, msg: string) =>
    JSON.stringify({ level, ts: '2026-12-01T10:00:00Z', logger, msg });
  const body = [
    line('info', 'instance-manager', 'starting'),
    '',
    line('error', 'instance-manager', 'archive failed'),
    line('error', 'wal-archive', 'archive failed again'),
    'plain text line',
  ].join('\n');
  assert.equal(filterLog(args(), 'pg-1', body).scanned, 4);
  assert.equal(filterLog(args(), 'pg-1', body).entries.length, 4);
  const errors = filterLog(args({ level: 'error', logger: 'instance-manager' }), 'pg-1', body);
  assert.deepEqual(
    errors.entries.map((e) => e.message),
    ['archive failed'],
  );
  assert.deepEqual(
    filterLog(args({ contains: 'again' }), 'pg-1', body).entries.map((e) => e.logger),
    ['wal-archive'],
  );
  assert.deepEqual(
    Object.values(clusterLogsTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['read Cluster'],
  );
});
