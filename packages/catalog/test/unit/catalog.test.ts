import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, findTool, toolListForMcp } from '../../src/index.js';

test('tool names are unique snake_case and every tool has a title and description', () => {
  const names = catalog.map((tool) => tool.name);
  assert.equal(new Set(names).size, names.length);
  for (const tool of catalog) {
    assert.match(tool.name, /^[a-z]+(_[a-z]+)*$/, tool.name);
    assert.ok(tool.title.length > 0 && tool.description.length > 20, tool.name);
    assert.equal(findTool(tool.name), tool);
  }
});

test('read-only annotations agree with the required scope; credential_reveal is not announced read-only', () => {
  for (const tool of catalog.filter((t) => t.name !== 'credential_reveal')) {
    assert.equal(tool.annotations.readOnlyHint, tool.requiredScope === 'read', tool.name);
  }
  // It returns a secret, and clients run read-only tools without asking.
  assert.deepEqual(findTool('credential_reveal')?.annotations, {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  });
});

test('every mutating tool offers dry_run and every destructive tool requires confirm', () => {
  for (const tool of catalog.filter((t) => t.requiredScope === 'write')) {
    const listed = toolListForMcp().find((t) => t.name === tool.name)!;
    const properties = listed.inputSchema.properties as Record<string, { type?: string }>;
    assert.equal(properties.dry_run?.type, 'boolean', `${tool.name} has dry_run`);
    if (tool.annotations.destructiveHint && tool.name !== 'cluster_fence') {
      assert.ok(tool.confirmField, `${tool.name} declares its confirm field`);
      assert.ok(
        (listed.inputSchema.required as string[]).includes('confirm'),
        `${tool.name} requires confirm`,
      );
    }
  }
});

test('limits are visible in the published JSON Schema', () => {
  const create = toolListForMcp().find((t) => t.name === 'cluster_create')!;
  const props = create.inputSchema.properties as Record<string, Record<string, unknown>>;
  assert.equal(props.name?.maxLength, 50);
  assert.equal(props.name?.pattern, '^[a-z]([-a-z0-9]*[a-z0-9])?$');
  assert.equal(props.instances?.minimum, 1);
  assert.equal(props.instances?.maximum, 9);
  assert.equal(props.postgres_major?.minimum, 14);
  assert.match(String(props.storage_size?.pattern), /Gi/);
  assert.equal(create.inputSchema.additionalProperties, false);
  const status = toolListForMcp().find((t) => t.name === 'cluster_status')!;
  const detail = (status.inputSchema.properties as Record<string, Record<string, unknown>>).detail;
  assert.deepEqual(detail?.enum, ['concise', 'detailed']);
});

test('input schemas reject bad input with the field named', () => {
  const scale = findTool('cluster_scale')!;
  const result = scale.inputSchema.safeParse({ name: 'pg', instances: 0 });
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues[0]?.path, ['instances']);
  const unknownField = scale.inputSchema.safeParse({ name: 'pg', instances: 2, replicas: 3 });
  assert.equal(unknownField.success, false);
});

test('toolListForMcp returns a fresh copy each time', () => {
  const first = toolListForMcp();
  first[0]!.name = 'changed';
  assert.notEqual(toolListForMcp()[0]!.name, 'changed');
});
