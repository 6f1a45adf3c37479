import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cronProblem,
  findPrompt,
  findTool,
  parseResourceUri,
  promptArgumentsProblem,
  prompts,
  toolListForMcp,
} from '../../src/index.js';

test('cronProblem accepts six-field schedules and descriptors, and explains the rest', () => {
  for (const ok of [
    '0 0 0 * * *',
    '*/30 5 2 1-15 JAN-MAR mon-fri',
    '0 0 2 * * 0,6',
    '@daily',
    '@every 1h30m',
    '0 0 0 ? * *',
  ]) {
    assert.equal(cronProblem(ok), undefined, ok);
  }
  assert.match(cronProblem('0 2 * * *') ?? '', /expected 6 fields.*prepend "0 "/);
  assert.match(cronProblem('0 0 24 * * *') ?? '', /hour: "24" is outside 0-23/);
  assert.match(cronProblem('0 0 0 0 * *') ?? '', /day of month: "0" is outside 1-31/);
  assert.match(cronProblem('0 0 0 * 13 *') ?? '', /month/);
  assert.match(cronProblem('0 0 0 * * 9') ?? '', /day of week/);
  assert.match(cronProblem('0 0 0 10-2 * *') ?? '', /reversed/);
  assert.match(cronProblem('*/0 * * * * *') ?? '', /bad step/);
  assert.match(cronProblem('@fortnightly') ?? '', /unknown descriptor/);
});

test('the schedule field reports the problem on the schedule path', () => {
  const result = findTool('scheduled_backup_create')!.inputSchema.safeParse({
    cluster: 'pg',
    name: 'nightly',
    schedule: '0 2 * * *',
  });
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues[0]?.path, ['schedule']);
});

test('reserved names and limits are visible in the published JSON Schema', () => {
  const list = toolListForMcp();
  const props = (name: string) =>
    list.find((t) => t.name === name)!.inputSchema.properties as Record<string, Record<string, unknown>>;
  const rolePattern = new RegExp(String(props('role_create').name?.pattern));
  for (const reserved of ['postgres', 'streaming_replica', 'pg_monitor', 'cnpg_pooler_pgbouncer']) {
    assert.ok(!rolePattern.test(reserved), reserved);
  }
  assert.ok(
    rolePattern.test('reporting') && rolePattern.test('postgres_ro'),
    "rolePattern.test('reporting') && rolePattern.test('postgres_ro')",
  );
  assert.equal(props('role_create').password_length?.minimum, 16);
  assert.equal(props('cluster_logs').tail?.maximum, 5000);
  assert.deepEqual(props('pooler_create').pool_mode?.enum, ['session', 'transaction']);
  assert.deepEqual(props('backup_create').method?.enum, ['plugin', 'volumeSnapshot', 'barmanObjectStore']);
  assert.ok(
    !new RegExp(String(props('database_create').name?.pattern)).test('template1'),
    "!new RegExp(String(props('database_create').name?.pattern)).test('template1')",
  );
});

test('resource URIs parse to what they name, and nothing else', () => {
  assert.deepEqual(parseResourceUri('cnpg://clusters'), { kind: 'clusters' });
  assert.deepEqual(parseResourceUri('cnpg://clusters/apps/pg-main'), {
    kind: 'cluster',
    namespace: 'apps',
    name: 'pg-main',
  });
  assert.deepEqual(parseResourceUri('cnpg://clusters/apps/pg-main/backups'), {
    kind: 'backups',
    namespace: 'apps',
    name: 'pg-main',
  });
  for (const bad of [
    'cnpg://clusters/',
    'cnpg://clusters/Apps/pg',
    'cnpg://clusters/apps/pg/x',
    'https://x',
    'cnpg://clusters/a/1pg',
  ]) {
    assert.equal(parseResourceUri(bad), undefined, bad);
  }
});

test('prompt arguments are checked and every prompt renders its required arguments', () => {
  const plan = findPrompt('plan_major_upgrade')!;
  assert.match(promptArgumentsProblem(plan, { name: 'pg' }) ?? '', /target_major/);
  assert.match(promptArgumentsProblem(plan, { name: 'pg', target_major: '15' }) ?? '', /not valid/);
  assert.match(promptArgumentsProblem(plan, { name: 'pg', target_major: '17', extra: 'x' }) ?? '', /unknown/);
  assert.equal(promptArgumentsProblem(plan, { name: 'pg', target_major: '17' }), undefined);
  for (const prompt of prompts) {
    const args = Object.fromEntries(
      prompt.arguments
        .filter((a) => a.required)
        .map((a) => [a.name, a.name === 'target_major' ? '17' : 'pg-main']),
    );
    assert.equal(promptArgumentsProblem(prompt, args), undefined, prompt.name);
    assert.match(prompt.render(args), /pg-main/);
  }
});
