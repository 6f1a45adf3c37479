import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  catalog,
  confirmationQuestion,
  confirmMetaOf,
  DEFAULT_TOOLSETS,
  findPrompt,
  hiddenBecause,
  parseToolsets,
  promptText,
  TOOLSET_NAMES,
  ToolsetError,
  toolListForMcp,
  toolsetOf,
} from '../../src/index.js';

test('parseToolsets: names, "default", "all", spaces and commas; empty is the default set', () => {
  assert.deepEqual(parseToolsets('backups, cluster'), ['cluster', 'backups']);
  assert.deepEqual(parseToolsets('default roles'), [...DEFAULT_TOOLSETS, 'roles']);
  assert.deepEqual(parseToolsets('all'), TOOLSET_NAMES);
  assert.deepEqual(parseToolsets(' '), [...DEFAULT_TOOLSETS]);
  assert.deepEqual(parseToolsets('CLUSTER'), ['cluster']);
});

test('parseToolsets names every unknown toolset and what is expected', () => {
  assert.throws(
    () => parseToolsets('cluster,backup,rolez'),
    (error: unknown) =>
      error instanceof ToolsetError &&
      /unknown toolsets "backup", "rolez"; expected a comma-separated list of cluster, observability/.test(
        error.message,
      ) &&
      error.message.includes('"all"'),
  );
});

test('every listed tool but whoami names its toolset; the toolsets cover the catalogue', () => {
  for (const listing of toolListForMcp()) {
    const tool = catalog.find((t) => t.name === listing.name)!;
    assert.equal(toolsetOf(listing), tool.group ?? undefined, listing.name);
  }
  assert.deepEqual(
    [...new Set(catalog.map((t) => t.group).filter((g) => g !== null))].sort(),
    [...TOOLSET_NAMES].sort(),
  );
});

test('a selection hides other toolsets, and read-only mode everything not announced read-only', () => {
  const list = toolListForMcp();
  const shown = (toolsets: readonly (typeof TOOLSET_NAMES)[number][], readOnly: boolean) =>
    list.filter((l) => hiddenBecause(l, { toolsets, readOnly }) === undefined).map((l) => l.name);
  const backups = catalog.filter((t) => t.group === 'backups').map((t) => t.name);
  assert.ok(
    backups.includes('backup_restore') && backups.includes('scheduled_backup_list'),
    "backups.includes('backup_restore') && backups.includes('scheduled_backup_list')",
  );
  assert.deepEqual(shown(['backups'], false).sort(), [...backups, 'whoami'].sort());
  const readOnly = shown(TOOLSET_NAMES, true);
  assert.ok(
    readOnly.includes('cluster_logs') && readOnly.includes('whoami'),
    "readOnly.includes('cluster_logs') && readOnly.includes('whoami')",
  );
  assert.ok(!readOnly.includes('credential_reveal'), 'a secret is not read-only');
  assert.ok(
    readOnly.every((name) => catalog.find((t) => t.name === name)!.requiredScope === 'read'),
    "readOnly.every((name) => catalog.find((t) => t.name === name)!.requiredScope === 'read')",
  );
  assert.equal(
    hiddenBecause(list.find((l) => l.name === 'cluster_delete')!, { toolsets: ['cluster'], readOnly: true }),
    'read_only',
  );
  assert.equal(
    hiddenBecause(list.find((l) => l.name === 'role_list')!, { toolsets: ['cluster'], readOnly: true }),
    'toolset',
  );
});

test('confirmation metadata travels in the listing, with the argument confirm repeats', () => {
  const listed = toolListForMcp();
  assert.deepEqual(
    confirmMetaOf(listed.find((l) => l.name === 'cluster_instance_destroy')!)?.field,
    'instance',
  );
  assert.equal(confirmMetaOf(listed.find((l) => l.name === 'credential_reveal')!)?.field, undefined);
  assert.equal(confirmMetaOf(listed.find((l) => l.name === 'cluster_list')!), undefined);
});

test('confirmationQuestion fills arguments, the text for absent ones, and "?" otherwise', () => {
  assert.equal(
    confirmationQuestion('Drop {name} in {namespace|default}?', { name: 'x' }),
    'Drop x in default?',
  );
  assert.equal(confirmationQuestion('{a} {b}', { a: 3 }), '3 ?');
});

test('a prompt says which toolsets its steps need, so a narrower selection is named rather than worked around', () => {
  const text = promptText(findPrompt('troubleshoot_cluster')!, { name: 'pg-main' });
  assert.match(
    text,
    /\nThese steps use the cluster, observability, backups, poolers toolsets; if a tool is not available/,
  );
});
