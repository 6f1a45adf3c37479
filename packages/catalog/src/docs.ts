import { z } from 'zod';
import { catalog } from './catalog.js';
import { serverInstructions } from './instructions.js';
import { DEFAULT_TOOLSETS, TOOLSET_NAMES, TOOLSETS } from './selection.js';
import type { JsonSchemaObject } from './types.js';

type Schema = JsonSchemaObject & {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  description?: string;
  default?: unknown;
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.type === 'array') return `array of ${schema.items ? typeOf(schema.items) : 'any'}`;
  if (schema.type === 'object' && schema.properties) {
    return `object {${Object.keys(schema.properties).join(', ')}}`;
  }
  if (schema.type === 'object') return 'object (map)';
  return Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
}

function limitsOf(schema: Schema): string {
  const parts: string[] = [];
  const s = schema as Record<string, unknown>;
  if (s.minimum !== undefined || s.maximum !== undefined)
    parts.push(`${s.minimum ?? '…'}–${s.maximum ?? '…'}`);
  if (s.minLength !== undefined || s.maxLength !== undefined)
    parts.push(`length ${s.minLength ?? 0}–${s.maxLength ?? '…'}`);
  if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems} items`);
  if (typeof s.pattern === 'string') parts.push(`pattern \`${s.pattern}\``);
  for (const alternative of schema.anyOf ?? []) {
    const inner = limitsOf(alternative);
    if (inner) parts.push(inner);
  }
  return parts.join('; ');
}

/**
 * Markdown reference of every tool in the catalogue (docs/tools.md is this output): the long form,
 * with every pattern and description the compact definitions models read leave out.
 */
export function renderToolsMarkdown(): string {
  const lines = [
    '# Tools',
    '',
    'Generated from the catalogue (`packages/catalog`) by `npm run docs:tools -w packages/catalog`; a test fails when it is out of date.',
    'Every tool returns `structuredContent` (described by its output schema) and a short text for people.',
    'Tools marked _write_ need the `mcp:write` scope, the others `mcp:read`. Mutating tools take `dry_run`',
    '(server-side `dryRun=All`: validated, nothing written). Destructive tools are confirmed by the person:',
    'through MCP elicitation when the client supports it, otherwise `confirm` must equal the name of what',
    'they remove. `namespace` defaults to the server default namespace.',
    '',
    'Models read a compact form of these definitions: the descriptions below marked as the long form, every',
    'pattern and the shared rules are stated once, in the server instructions:',
    '',
    ...serverInstructions.split('\n').map((line) => `> ${line}`),
    '',
    '## Toolsets',
    '',
    `Clients choose toolsets (see the README); without a choice they get the default set: ${DEFAULT_TOOLSETS.map((name) => `\`${name}\``).join(', ')}. \`whoami\` is always there.`,
    '',
    '| toolset | tools |',
    '|---|---|',
    ...TOOLSET_NAMES.map(
      (name) =>
        `| \`${name}\` | ${catalog
          .filter((tool) => tool.group === name)
          .map((tool) => `[\`${tool.name}\`](#${tool.name})`)
          .join(', ')} |`,
    ),
    '',
    ...TOOLSET_NAMES.map((name) => `- \`${name}\`: ${TOOLSETS[name]}.`),
    '',
    '## All tools',
    '',
    '| tool | title | scope | hints |',
    '|---|---|---|---|',
  ];
  for (const tool of catalog) {
    const hints = [
      tool.annotations.readOnlyHint ? 'read-only' : '',
      tool.annotations.destructiveHint ? 'destructive' : '',
      tool.annotations.idempotentHint ? 'idempotent' : '',
    ].filter(Boolean);
    lines.push(
      `| [\`${tool.name}\`](#${tool.name}) | ${cell(tool.title)} | ${tool.requiredScope} | ${hints.join(', ')} |`,
    );
  }
  for (const tool of catalog) {
    const input = z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }) as Schema;
    const output = z.toJSONSchema(tool.outputSchema, { target: 'draft-7', io: 'output' }) as Schema;
    lines.push(
      '',
      `## ${tool.name}`,
      '',
      `**${tool.title}** (${tool.requiredScope}${tool.group ? `, toolset \`${tool.group}\`` : ''}). ${tool.details ?? tool.description}`,
      '',
    );
    if (tool.details) lines.push(`What models read: ${tool.description}`, '');
    if (tool.confirmation) {
      lines.push(
        `The person confirms it${tool.confirmField ? ` (without elicitation: \`confirm\` repeats \`${tool.confirmField}\`)` : ' (asked only where the client supports elicitation)'}: “${tool.confirmation.question}”`,
        '',
      );
    }
    const properties = Object.entries(input.properties ?? {});
    if (properties.length === 0) {
      lines.push('No parameters.');
    } else {
      lines.push(
        '| parameter | type | required | default | limits | description |',
        '|---|---|---|---|---|---|',
      );
      for (const [name, schema] of properties) {
        const required = input.required?.includes(name) ? 'yes' : '';
        const fallback = schema.default === undefined ? '' : `\`${JSON.stringify(schema.default)}\``;
        lines.push(
          `| \`${name}\` | ${cell(typeOf(schema))} | ${required} | ${fallback} | ${cell(limitsOf(schema))} | ${cell(schema.description ?? '')} |`,
        );
      }
    }
    const fields = Object.keys(output.properties ?? {});
    lines.push('', `Output fields: ${fields.map((f) => `\`${f}\``).join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}
