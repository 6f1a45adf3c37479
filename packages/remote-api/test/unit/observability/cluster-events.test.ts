import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterEvents } from '@cnpg-mcp/catalog';
import type { CoreV1Event } from '@kubernetes/client-node';
import { clusterEventsTool, eventsAbout } from '../../../src/tools/observability/cluster-events.js';
import { alice, object } from '../backups/fixtures.js';

const event = (name: string, time: string, type = 'Normal'): CoreV1Event => ({
  metadata: {},
  involvedObject: { kind: 'Pod', name },
  lastTimestamp: new Date(time),
  type,
  reason: 'Test',
  message: `about ${name}`,
});

test('cluster_events: events of the cluster’s objects, its poolers and backups, newest first; it reads the Cluster', () => {
  const events = [
    event('pg-1', '2026-12-01T10:00:00Z'),
    event('pg', '2026-12-01T10:02:00Z', 'Warning'),
    event('pgx-1', '2026-12-01T10:03:00Z'),
    event('front', '2026-12-01T10:01:00Z'),
    event('nightly-1', '2026-12-01T10:04:00Z'),
    event('other-pool', '2026-12-01T10:05:00Z'),
  ];
  const dependents = {
    poolers: [
      object('Pooler', 'front', alice, { spec: { cluster: { name: 'pg' } } }),
      object('Pooler', 'other-pool', alice, { spec: { cluster: { name: 'pgx' } } }),
    ],
    backups: [object('Backup', 'nightly', alice, { spec: { cluster: { name: 'pg' } } })],
  };
  const parse = (input: Record<string, unknown>) => clusterEvents.inputSchema.parse({ name: 'pg', ...input });
  const all = eventsAbout(parse({}), 'team-a', events, dependents);
  assert.deepEqual(
    all.structured.events.map((e) => e.object),
    ['Pod/nightly-1', 'Pod/pg', 'Pod/front', 'Pod/pg-1'],
  );
  assert.equal(all.structured.total, 4);
  const warnings = eventsAbout(parse({ type: 'Warning' }), 'team-a', events, dependents);
  assert.deepEqual(
    warnings.structured.events.map((e) => e.object),
    ['Pod/pg'],
  );
  const limited = eventsAbout(parse({ limit: 1 }), 'team-a', events, dependents);
  assert.equal(limited.structured.events.length, 1);
  assert.match(limited.text, /^1 of 4 event\(s\) about team-a\/pg, newest first/);
  assert.deepEqual(
    Object.values(clusterEventsTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['read Cluster'],
  );
});
