import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  catalog,
  confirmationQuestion,
  findTool,
  serverInstructions,
  toolListForMcp,
} from '../../src/index.js';

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

test('every mutating tool offers dry_run; the person confirms every destructive tool and credential_reveal', () => {
  for (const tool of catalog.filter((t) => t.requiredScope === 'write')) {
    const listed = toolListForMcp().find((t) => t.name === tool.name)!;
    const properties = listed.inputSchema.properties as Record<string, { type?: string }>;
    assert.equal(properties.dry_run?.type, 'boolean', `${tool.name} has dry_run`);
    if (tool.annotations.destructiveHint)
      assert.ok(tool.confirmation, `${tool.name} is confirmed by the person`);
  }
  assert.ok(findTool('credential_reveal')?.confirmation, "findTool('credential_reveal')?.confirmation");
  // Clients that cannot ask the person repeat the name instead; the deletes always need it.
  for (const tool of catalog.filter((t) => t.confirmField)) {
    const listed = toolListForMcp().find((t) => t.name === tool.name)!;
    assert.ok(
      (listed.inputSchema.properties as Record<string, unknown>).confirm,
      `${tool.name} takes confirm`,
    );
    assert.ok(tool.confirmation, `${tool.name} asks the person`);
    if (tool.name.endsWith('_delete') || tool.name === 'cluster_instance_destroy')
      assert.ok(
        (listed.inputSchema.required as string[]).includes('confirm'),
        `${tool.name} requires confirm`,
      );
  }
});

test('annotations match what the tools do: password rotation and scale-down are destructive', () => {
  for (const name of ['role_rotate_password', 'cluster_scale', 'cluster_image_upgrade'])
    assert.equal(findTool(name)?.annotations.destructiveHint, true, name);
});

test('each confirmation question names only arguments of its tool, and reads whole when they are given', () => {
  for (const tool of catalog.filter((t) => t.confirmation)) {
    const question = tool.confirmation!.question;
    for (const [, name] of question.matchAll(/\{([a-z_]+)/g))
      assert.ok(name! in tool.inputSchema.shape, `${tool.name}: {${name}} is not an argument`);
  }
  assert.equal(
    confirmationQuestion(findTool('cluster_delete')!.confirmation!.question, { name: 'pg-main' }),
    'Delete cluster pg-main (namespace your default) with its instances, volumes and what was made for it? Backups stay. This cannot be undone.',
  );
  assert.match(
    confirmationQuestion(findTool('credential_reveal')!.confirmation!.question, {
      cluster: 'pg',
      namespace: 'team-a',
    }),
    /role the application owner of cluster pg \(namespace team-a\)/,
  );
});

test('limits are visible in the published JSON Schema; name rules are stated once, in the instructions', () => {
  const create = toolListForMcp().find((t) => t.name === 'cluster_create')!;
  const props = create.inputSchema.properties as Record<string, Record<string, unknown>>;
  // Name rules (pattern and length) are stated once, in the instructions.
  assert.deepEqual(props.name, { type: 'string' });
  assert.match(serverInstructions, /clusters: at most 50, starting with a letter/);
  assert.equal(props.instances?.minimum, 1);
  assert.equal(props.instances?.maximum, 9);
  assert.equal(props.postgres_major?.minimum, 14);
  assert.match(String(props.storage_size?.pattern), /Gi/);
  assert.deepEqual(props.parameters?.propertyNames, {
    type: 'string',
    maxLength: 63,
    pattern: '^[a-z][a-z0-9_.]*$',
  });
  // Unknown top-level arguments are dropped and named; nested objects stay strict.
  assert.equal(create.inputSchema.additionalProperties, undefined);
  assert.equal(props.image_catalog?.additionalProperties, false);
  assert.equal(create.inputSchema.$schema, undefined);
  // The role name keeps the pattern that refuses reserved names.
  const role = toolListForMcp().find((t) => t.name === 'role_create')!;
  assert.match(
    String((role.inputSchema.properties as Record<string, { pattern?: string }>).name?.pattern),
    /postgres/,
  );
  // The server still checks the rule left out of the schema.
  assert.equal(
    findTool('cluster_create')!.inputSchema.safeParse({ name: 'Bad_Name', storage_size: '1Gi' }).success,
    false,
  );
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
