import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog } from '@cnpg-mcp/catalog';
import type { ToolModule } from '../../src/tools/context.js';
import { implementations } from '../../src/tools/registry.js';

/** Whether the tool's input schema requires the field (present and not optional). */
const requires = (tool: ToolModule, field: string): boolean => {
  const shape = tool.definition.inputSchema.shape as Record<
    string,
    { safeParse(v: unknown): { success: boolean } }
  >;
  const schema = shape[field];
  return schema !== undefined && !schema.safeParse(undefined).success;
};

const modules = (): [string, ToolModule][] => [...implementations];

test('the registry implements exactly the catalogue', () => {
  assert.deepEqual([...implementations.keys()].sort(), catalog.map((tool) => tool.name).sort());
});

test('every write tool declares what it creates or changes', () => {
  for (const [name, tool] of modules()) {
    if (tool.definition.requiredScope !== 'write') continue;
    const intents = Object.values(tool.references).map((ref) => ref.intent);
    assert.ok(
      intents.includes('create') || intents.includes('change'),
      `${name} writes but declares no create or change reference`,
    );
  }
});

test('every tool that names its cluster declares that Cluster', () => {
  for (const [name, tool] of modules()) {
    if (!requires(tool, 'cluster')) continue;
    const clusters = Object.values(tool.references).filter((ref) => ref.kind === 'Cluster');
    assert.ok(clusters.length > 0, `${name} takes a cluster but declares no Cluster reference`);
    assert.ok(
      clusters.some(
        (ref) => ref.name({ cluster: 'probe-cluster' } as never, {}, {} as never) === 'probe-cluster',
      ),
      `${name} declares a Cluster reference that is not the cluster it was given`,
    );
  }
});

test('every tool that acts on one named object declares it', () => {
  for (const [name, tool] of modules()) {
    if (!requires(tool, 'name')) continue;
    assert.ok(Object.keys(tool.references).length > 0, `${name} takes a name but declares no reference`);
  }
});
