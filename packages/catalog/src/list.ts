import { z } from 'zod';
import { catalog } from './catalog.js';
import { NAME_RULES } from './fields.js';
import { CONFIRM_META, type ListingMeta, TOOLSET_META } from './selection.js';
import type { JsonSchemaObject, McpToolListing, ToolDefinition } from './types.js';

type Node = { [key: string]: unknown };

function visit(node: unknown, change: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, change);
  } else if (node !== null && typeof node === 'object') {
    change(node as Node);
    for (const value of Object.values(node)) visit(value, change);
  }
}

/**
 * A JSON Schema as the MCP SDK's McpServer publishes it (draft-7), made compact for the model that
 * reads it with every request: no `$schema`; no pattern or length where the server instructions
 * state the rule once (Kubernetes and PostgreSQL names) or a `format` says it (zod's date-time regex); no
 * `minLength: 1`; no `default: false` on booleans (the instructions say booleans default to false).
 * Ranges, lengths, enums and every other pattern stay, and the server still checks everything it
 * leaves out. For an input schema, no top-level `additionalProperties: false`
 * either: unknown arguments are dropped and named in the result, not refused.
 */
export function publishedSchema(schema: JsonSchemaObject, side: 'input' | 'output'): JsonSchemaObject {
  const { $schema: _, ...rest } = schema;
  if (side === 'input' && rest.additionalProperties === false) delete rest.additionalProperties;
  if (side === 'input') {
    visit(rest, (node) => {
      const rule = typeof node.pattern === 'string' ? NAME_RULES.get(node.pattern) : undefined;
      if (rule) {
        delete node.pattern;
        if (node.maxLength === rule.maxLength) delete node.maxLength;
        if (node.minLength === rule.minLength) delete node.minLength;
      }
      if (node.format === 'date-time') delete node.pattern;
      if (node.minLength === 1) delete node.minLength;
      if (node.type === 'boolean' && node.default === false) delete node.default;
    });
  }
  return rest;
}

function listingMeta(tool: ToolDefinition): ListingMeta | undefined {
  const meta: ListingMeta = {};
  if (tool.group !== null) meta[TOOLSET_META] = tool.group;
  if (tool.confirmation) {
    meta[CONFIRM_META] = {
      question: tool.confirmation.question,
      ...(tool.confirmField ? { field: tool.confirmField } : {}),
      ...(tool.confirmation.onlySome ? { onlySome: true } : {}),
    };
  }
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/**
 * Converts one tool to its tools/list entry with the MCP SDK McpServer's conversion and key order
 * (draft-7, input side of the input schema, output side of the output schema, the `execution` it
 * adds to every plain tool), made compact by publishedSchema, so the stdio server's offline list
 * is byte-identical to the remote's.
 */
export function toolListing(tool: ToolDefinition): McpToolListing {
  const meta = listingMeta(tool);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: publishedSchema(
      z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }),
      'input',
    ),
    annotations: tool.annotations,
    execution: { taskSupport: 'forbidden' },
    ...(meta ? { _meta: meta } : {}),
    outputSchema: publishedSchema(
      z.toJSONSchema(tool.outputSchema, { target: 'draft-7', io: 'output' }),
      'output',
    ),
  };
}

let cached: McpToolListing[] | undefined;

/** Exactly the `tools` array of a tools/list result for the whole catalogue. */
export function toolListForMcp(): McpToolListing[] {
  cached ??= catalog.map((tool) => toolListing(tool));
  return structuredClone(cached);
}

/** What a model reads of a listed tool: name, description and input schema (the size budget counts these). */
export function modelVisible(listing: Pick<McpToolListing, 'name' | 'description' | 'inputSchema'>): string {
  return JSON.stringify({
    name: listing.name,
    description: listing.description,
    inputSchema: listing.inputSchema,
  });
}
