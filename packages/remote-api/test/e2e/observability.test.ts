import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  aliceCluster,
  assertNoSecretInOutputs,
  fails,
  type ObjectsEnv,
  OTHER_NS,
  ok,
  secretData,
  startObjectsEnv,
} from '../support/objects-support.js';

let env: ObjectsEnv;

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, 'pg-obs', 2);
});

after(async () => {
  await env?.close();
});

test('cluster_pods lists instances with role, readiness and node', async () => {
  const out = await ok(env.alice, 'cluster_pods', { name: 'pg-obs' });
  assert.deepEqual(
    out.pods.map((p: { name: string }) => p.name),
    ['pg-obs-1', 'pg-obs-2'],
  );
  assert.equal(out.pods.filter((p: { role: string }) => p.role === 'primary').length, 1);
  assert.ok(
    out.pods.every((p: { ready: boolean }) => p.ready),
    'out.pods.every((p: { ready: boolean }) => p.ready)',
  );
  // Bob may read (reads are not limited by ownership).
  await ok(env.bob, 'cluster_pods', { name: 'pg-obs' });
});

test('cluster_events: newest first, limited, filtered by type', async () => {
  const all = await ok(env.alice, 'cluster_events', { name: 'pg-obs', limit: 500 });
  assert.ok(all.total >= 2, `events: ${all.total}`);
  const times = all.events.map((e: { time: string }) => e.time);
  assert.deepEqual(times, [...times].sort().reverse());
  assert.ok(
    all.events.every((e: { object: string }) => /pg-obs/.test(e.object)),
    'all.events.every((e: { object: string }) => /pg-obs/.test(e.object))',
  );
  const one = await ok(env.alice, 'cluster_events', { name: 'pg-obs', limit: 1 });
  assert.equal(one.events.length, 1);
  assert.equal(one.total, all.total);
  const warnings = await ok(env.alice, 'cluster_events', { name: 'pg-obs', type: 'Warning' });
  assert.ok(
    warnings.events.every((e: { type: string }) => e.type === 'Warning'),
    "warnings.events.every((e: { type: string }) => e.type === 'Warning')",
  );
});

test('cluster_logs parses CloudNativePG JSON lines and filters by instance, logger, text and level', async () => {
  const all = await ok(env.alice, 'cluster_logs', { name: 'pg-obs' });
  assert.deepEqual(all.pods, ['pg-obs-1', 'pg-obs-2']);
  assert.ok(
    all.scanned > 0 && all.entries.length === all.scanned,
    'all.scanned > 0 && all.entries.length === all.scanned',
  );
  const postgres = all.entries.find((e: { logger: string }) => e.logger === 'postgres');
  assert.equal(postgres.severity, 'LOG');
  assert.equal(postgres.level, 'info');
  assert.ok(postgres.time, 'postgres.time');
  const one = await ok(env.alice, 'cluster_logs', {
    name: 'pg-obs',
    instance: 'pg-obs-2',
    logger: 'instance-manager',
  });
  assert.ok(one.entries.length > 0, 'one.entries.length > 0');
  assert.ok(
    one.entries.every(
      (e: { pod: string; logger: string }) => e.pod === 'pg-obs-2' && e.logger === 'instance-manager',
    ),
    "one.entries.every((e: { pod: string; logger: string }) => e.pod === 'pg-obs-2' && e.log…",
  );
  const listening = await ok(env.alice, 'cluster_logs', { name: 'pg-obs', contains: 'listening on' });
  assert.equal(listening.entries.length, 2);
  const errors = await ok(env.alice, 'cluster_logs', { name: 'pg-obs', level: 'error' });
  assert.equal(errors.scanned, all.scanned);
  assert.ok(
    errors.entries.every((e: { level: string }) => e.level === 'error' || e.level === 'fatal'),
    "errors.entries.every((e: { level: string }) => e.level === 'error' || e.level === 'fatal')",
  );
  assert.ok(errors.entries.length < all.entries.length, 'errors.entries.length < all.entries.length');
  const tail = await ok(env.alice, 'cluster_logs', { name: 'pg-obs', instance: 'pg-obs-1', tail: 2 });
  assert.equal(tail.scanned, 2);
});

test('cluster_connection_info names services and the Secret, never its value', async () => {
  const out = await ok(env.alice, 'cluster_connection_info', { name: 'pg-obs' });
  assert.deepEqual(
    out.endpoints.map((e: { host: string }) => e.host),
    ['pg-obs-rw.team-a.svc', 'pg-obs-ro.team-a.svc', 'pg-obs-r.team-a.svc'],
  );
  assert.equal(out.secretName, 'pg-obs-app');
  assert.equal(out.database, 'app');
  assert.equal(out.uri, 'postgresql://app@pg-obs-rw.team-a.svc:5432/app?sslmode=require');
  const secret = await secretData(env, 'pg-obs-app');
  assert.ok(secret?.password, 'secret?.password');
  assertNoSecretInOutputs([secret!.password]);
});

test('bad input, not found and forbidden namespace', async () => {
  await fails(env.alice, 'cluster_logs', { name: 'pg-obs', tail: 0 }, /tail/);
  await fails(env.alice, 'cluster_logs', { name: 'pg-obs', level: 'loud' }, /level/);
  await fails(env.alice, 'cluster_events', { name: 'pg-obs', limit: 1000 }, /limit/);
  await fails(env.alice, 'cluster_logs', { name: 'pg-obs', instance: 'pg-obs-9' }, /has no pod/);
  await fails(env.alice, 'cluster_pods', { name: 'pg-none' }, /not found/);
  await fails(env.alice, 'cluster_events', { name: 'pg-none' }, /not found/);
  await fails(
    env.alice,
    'cluster_connection_info',
    { namespace: OTHER_NS, name: 'pg-obs' },
    /rule namespace/,
  );
});
