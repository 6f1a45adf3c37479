import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { promptListForMcp } from '@cnpg-mcp/catalog';
import { aliceCluster, NS, type ObjectsEnv, startObjectsEnv } from '../support/objects-support.js';

let env: ObjectsEnv;

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, 'pg-res');
});

after(async () => {
  await env?.close();
});

test('prompts/list matches the catalogue and prompts/get renders with arguments', async () => {
  const { prompts } = await env.alice.listPrompts();
  assert.deepEqual(prompts, promptListForMcp());
  assert.deepEqual(
    prompts.map((p) => p.name),
    ['create_production_cluster', 'troubleshoot_cluster', 'plan_major_upgrade'],
  );
  const got = await env.alice.getPrompt({
    name: 'troubleshoot_cluster',
    arguments: { name: 'pg-res', namespace: NS },
  });
  const message = got.messages[0];
  assert.equal(message?.role, 'user');
  assert.match(
    message?.content.type === 'text' ? message.content.text : '',
    /"pg-res" in namespace "team-a"[\s\S]*cluster_events/,
  );
});

test('prompts/get refuses missing, malformed and unknown arguments', async () => {
  await assert.rejects(
    env.alice.getPrompt({ name: 'plan_major_upgrade', arguments: { name: 'pg-res' } }),
    /target_major/,
  );
  await assert.rejects(
    env.alice.getPrompt({ name: 'plan_major_upgrade', arguments: { name: 'pg-res', target_major: '12' } }),
    /target_major/,
  );
  await assert.rejects(
    env.alice.getPrompt({ name: 'troubleshoot_cluster', arguments: { name: 'x', color: 'red' } }),
    /unknown/,
  );
  await assert.rejects(env.alice.getPrompt({ name: 'nope', arguments: {} }), /not found/);
});

test('resources: clusters listed under stable URIs and readable as JSON', async () => {
  const { resources } = await env.alice.listResources();
  const uris = resources.map((r) => r.uri);
  assert.ok(uris.includes('cnpg://clusters'), "uris.includes('cnpg://clusters')");
  assert.ok(uris.includes('cnpg://clusters/team-a/pg-res'), "uris.includes('cnpg://clusters/team-a/pg-res')");
  const { resourceTemplates } = await env.alice.listResourceTemplates();
  assert.deepEqual(
    resourceTemplates.map((t) => t.uriTemplate),
    ['cnpg://clusters/{namespace}/{name}', 'cnpg://clusters/{namespace}/{name}/backups'],
  );
  const read = await env.alice.readResource({ uri: 'cnpg://clusters/team-a/pg-res' });
  const content = read.contents[0];
  assert.equal(content?.mimeType, 'application/json');
  const status = JSON.parse(content && 'text' in content ? content.text : '{}');
  assert.equal(status.cluster.name, 'pg-res');
  assert.equal(status.cluster.phase, 'Cluster in healthy state');
  const all = await env.alice.readResource({ uri: 'cnpg://clusters' });
  const first = all.contents[0];
  assert.deepEqual(
    JSON.parse(first && 'text' in first ? first.text : '{}').clusters.map((c: { name: string }) => c.name),
    ['pg-res'],
  );
  const backups = await env.alice.readResource({ uri: 'cnpg://clusters/team-a/pg-res/backups' });
  const backupsContent = backups.contents[0];
  assert.deepEqual(
    JSON.parse(backupsContent && 'text' in backupsContent ? backupsContent.text : '{}').backups,
    [],
  );
});

test('resources: unknown URIs, missing clusters and forbidden namespaces are errors, and reads are audited', async () => {
  await assert.rejects(env.alice.readResource({ uri: 'cnpg://nothing' }), /Resource not found/);
  await assert.rejects(
    env.alice.readResource({ uri: 'cnpg://clusters/team-a/pg-none' }),
    /Resource not found/,
  );
  await assert.rejects(env.alice.readResource({ uri: 'cnpg://clusters/team-b/pg-res' }), /rule namespace/);
  const audit = env.api.audit.records<{ tool: string; outcome: string; namespace: string }>();
  assert.ok(
    audit.some((r) => r.tool === 'resources/read:cluster' && r.outcome === 'success'),
    "audit.some((r) => r.tool === 'resources/read:cluster' && r.outcome === 'success')",
  );
  assert.ok(
    audit.some(
      (r) => r.tool === 'resources/read:cluster' && r.outcome === 'denied' && r.namespace === 'team-b',
    ),
    "audit.some((r) => r.tool === 'resources/read:cluster' && r.outcome === 'denied' && r.na…",
  );
});
