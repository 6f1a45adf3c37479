import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { catalog, type ToolDefinition, toolModulePath } from '../../src/index.js';

const toolsDir = fileURLToPath(new URL('../../src/tools/', import.meta.url));

/** Every module under src/tools except the list (index.ts) and the shared pieces (shared.ts). */
function toolModuleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return toolModuleFiles(full);
    return entry.name.endsWith('.ts') && entry.name !== 'index.ts' && entry.name !== 'shared.ts'
      ? [full]
      : [];
  });
}

function isToolDefinition(value: unknown): value is ToolDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    'inputSchema' in value &&
    'annotations' in value &&
    'requiredScope' in value
  );
}

test('each tool module defines exactly one tool and is named after it', async () => {
  const files = toolModuleFiles(toolsDir);
  assert.ok(files.length > 0, 'files.length > 0');
  for (const file of files) {
    const module: Record<string, unknown> = await import(pathToFileURL(file).href);
    const defined = Object.values(module).filter(isToolDefinition);
    const path = relative(toolsDir, file);
    assert.equal(defined.length, 1, `${path} defines ${defined.length} tools, expected one`);
    assert.equal(path, `${toolModulePath(defined[0]!)}.ts`, `module of ${defined[0]!.name}`);
  }
});

test('the catalogue lists every tool module exactly once, and nothing else', async () => {
  const names = catalog.map((tool) => tool.name);
  assert.deepEqual(
    names.filter((name, index) => names.indexOf(name) !== index),
    [],
    'listed more than once',
  );
  const fromModules = new Set<unknown>();
  for (const file of toolModuleFiles(toolsDir)) {
    const module: Record<string, unknown> = await import(pathToFileURL(file).href);
    for (const value of Object.values(module).filter(isToolDefinition)) fromModules.add(value);
  }
  assert.deepEqual(
    [...fromModules]
      .filter((tool) => !catalog.includes(tool as ToolDefinition))
      .map((t) => (t as ToolDefinition).name),
    [],
    'tool modules missing from the list',
  );
  assert.deepEqual(
    catalog.filter((tool) => !fromModules.has(tool)).map((tool) => tool.name),
    [],
    'listed tools without a module of their own',
  );
});

test('toolModulePath drops only a first word that repeats the group', () => {
  const path = (name: string, group: ToolDefinition['group']) => toolModulePath({ name, group });
  assert.equal(path('cluster_switchover', 'cluster'), 'cluster/switchover');
  assert.equal(path('backup_restore', 'backups'), 'backups/restore');
  assert.equal(path('scheduled_backup_create', 'backups'), 'backups/scheduled-backup-create');
  assert.equal(path('credential_reveal', 'credentials'), 'credentials/reveal');
  assert.equal(path('cluster_logs', 'observability'), 'observability/cluster-logs');
  assert.equal(path('publication_list', 'logical'), 'logical/publication-list');
  assert.equal(path('whoami', null), 'whoami');
});
