import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  catalog,
  DEFAULT_SELECTION,
  findTool,
  hiddenBecause,
  modelVisible,
  serverInstructions,
  toolListForMcp,
} from '../../src/index.js';

// What every conversation pays before the person says a word: the part of tools/list a model reads
// (name, description, input schema), counted in UTF-8 bytes. A byte budget, not a timing.
const WHOLE_CATALOGUE_BUDGET = 40_000;
const DEFAULT_SET_BUDGET = 15_000;

const bytes = (listings: ReturnType<typeof toolListForMcp>) =>
  listings.reduce((sum, listing) => sum + Buffer.byteLength(modelVisible(listing)), 0);

test(`the model-visible definitions of the whole catalogue fit in ${WHOLE_CATALOGUE_BUDGET} bytes`, () => {
  const size = bytes(toolListForMcp());
  assert.ok(size <= WHOLE_CATALOGUE_BUDGET, `whole catalogue: ${size} bytes`);
});

test(`the default toolsets' model-visible definitions fit in ${DEFAULT_SET_BUDGET} bytes`, () => {
  const listed = toolListForMcp().filter(
    (listing) => hiddenBecause(listing, DEFAULT_SELECTION) === undefined,
  );
  assert.ok(
    listed.some((listing) => listing.name === 'whoami'),
    "listed.some((listing) => listing.name === 'whoami')",
  );
  const size = bytes(listed);
  assert.ok(size <= DEFAULT_SET_BUDGET, `default set (${listed.length} tools): ${size} bytes`);
});

test('no schema repeats $schema, and nothing model-visible is left empty', () => {
  for (const listing of toolListForMcp()) {
    assert.equal(listing.inputSchema.$schema, undefined, listing.name);
    assert.equal(listing.outputSchema.$schema, undefined, listing.name);
    assert.ok(listing.description.length >= 20, listing.name);
  }
});

// Tool choice: the words a person uses for a task must be in the description (or name) of the tool
// that does it, and what the model must supply is what the schema requires.
const tasks: { task: string; tool: string; mentions: string[]; required: string[] }[] = [
  { task: 'what clusters do I have', tool: 'cluster_list', mentions: ['lists clusters'], required: [] },
  {
    task: 'is pg-main healthy',
    tool: 'cluster_status',
    mentions: ['health', 'replication'],
    required: ['name'],
  },
  {
    task: 'create a cluster',
    tool: 'cluster_create',
    mentions: ['creates a cluster'],
    required: ['name', 'storage_size'],
  },
  {
    task: 'add replicas',
    tool: 'cluster_scale',
    mentions: ['instances', 'replicas'],
    required: ['name', 'instances'],
  },
  {
    task: 'the disk is full',
    tool: 'cluster_storage_grow',
    mentions: ['volumes', 'cluster_storage_shrink'],
    required: ['name', 'storage_size'],
  },
  {
    task: 'make the volumes smaller',
    tool: 'cluster_storage_shrink',
    mentions: ['shrinks', 'cluster_storage_shrink_status'],
    required: ['name', 'storage_size', 'confirm'],
  },
  {
    task: 'set work_mem',
    tool: 'cluster_set_parameters',
    mentions: ['postgresql parameters'],
    required: ['name', 'parameters'],
  },
  {
    task: 'upgrade to PostgreSQL 18',
    tool: 'cluster_image_upgrade',
    mentions: ['image', 'major'],
    required: ['name'],
  },
  { task: 'restart the database', tool: 'cluster_restart', mentions: ['restart'], required: ['name'] },
  {
    task: 'stop it to save money',
    tool: 'cluster_hibernate',
    mentions: ['stops every instance', 'cluster_resume'],
    required: ['name', 'confirm'],
  },
  {
    task: 'fail over to a replica',
    tool: 'cluster_switchover',
    mentions: ['promotes a replica to primary'],
    required: ['name'],
  },
  {
    task: 'recreate a broken replica',
    tool: 'cluster_instance_destroy',
    mentions: ['replica', 'recreates'],
    required: ['name', 'instance', 'confirm'],
  },
  {
    task: 'delete the cluster',
    tool: 'cluster_delete',
    mentions: ['deletes a cluster', 'backups stay'],
    required: ['name', 'confirm'],
  },
  {
    task: 'why does it fail: look at the logs',
    tool: 'cluster_logs',
    mentions: ['logs'],
    required: ['name'],
  },
  {
    task: 'what happened recently',
    tool: 'cluster_events',
    mentions: ['events', 'newest first'],
    required: ['name'],
  },
  {
    task: 'how do I connect',
    tool: 'cluster_connection_info',
    mentions: ['connect', 'credential_reveal'],
    required: ['name'],
  },
  { task: 'give me the password', tool: 'credential_reveal', mentions: ['password'], required: ['cluster'] },
  {
    task: 'add a user for the app',
    tool: 'role_create',
    mentions: ['role', 'password'],
    required: ['cluster', 'name'],
  },
  {
    task: 'the password leaked',
    tool: 'role_rotate_password',
    mentions: ['new password'],
    required: ['cluster', 'name'],
  },
  {
    task: 'create a database for the app',
    tool: 'database_create',
    mentions: ['creates a database', 'owner role must exist'],
    required: ['cluster', 'name', 'owner'],
  },
  {
    task: 'install postgis',
    tool: 'database_update',
    mentions: ['extensions'],
    required: ['cluster', 'name'],
  },
  { task: 'back up now', tool: 'backup_create', mentions: ['backs up a cluster now'], required: ['cluster'] },
  {
    task: 'nightly backups',
    tool: 'scheduled_backup_create',
    mentions: ['schedules backups', 'cron'],
    required: ['cluster', 'name', 'schedule'],
  },
  {
    task: 'restore yesterday’s state',
    tool: 'backup_restore',
    mentions: ['restores', 'point in time', 'new cluster'],
    required: ['name', 'backup'],
  },
  {
    task: 'put pgbouncer in front',
    tool: 'pooler_create',
    mentions: ['pgbouncer'],
    required: ['name', 'cluster'],
  },
  {
    task: 'replicate tables to another cluster',
    tool: 'publication_create',
    mentions: ['publication'],
    required: ['cluster', 'name', 'database'],
  },
];

for (const { task, tool, mentions, required } of tasks) {
  test(`tool choice: "${task}" → ${tool}`, () => {
    const listing = toolListForMcp().find((entry) => entry.name === tool)!;
    const text = `${listing.name.replace(/_/g, ' ')} ${listing.description}`.toLowerCase();
    for (const words of mentions)
      assert.ok(text.includes(words.toLowerCase()), `${tool} mentions "${words}"`);
    assert.deepEqual([...((listing.inputSchema.required as string[]) ?? [])].sort(), [...required].sort());
  });
}

test('every tool a task names exists, and the instructions carry the rules the schemas leave out', () => {
  for (const { tool } of tasks) assert.ok(findTool(tool), tool);
  assert.ok(catalog.length >= tasks.length, 'catalog.length >= tasks.length');
  for (const rule of [
    'lower-case letters, digits and "-"',
    'lower-case letters, digits and "_"',
    'dry_run',
    'confirm',
    'continue',
    'booleans default to false',
  ])
    assert.ok(serverInstructions.includes(rule), rule);
});
