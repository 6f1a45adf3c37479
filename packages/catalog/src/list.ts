import { z } from 'zod';
import { catalog } from './catalog.js';
import type { McpToolListing, ToolDefinition } from './types.js';

/**
 * Converts one tool to its tools/list entry with the same conversion and key order as the MCP SDK's
 * McpServer (draft-7, input side of the input schema, output side of the output schema, the
 * `execution` McpServer adds to every plain tool), so an
 * offline list is byte-identical to the remote's.
 */
export function toolListing(tool: ToolDefinition): McpToolListing {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.inputSchema, {
      target: 'draft-7',
      io: 'input',
    }) as McpToolListing['inputSchema'],
    annotations: tool.annotations,
    execution: { taskSupport: 'forbidden' },
    outputSchema: z.toJSONSchema(tool.outputSchema, {
      target: 'draft-7',
      io: 'output',
    }) as McpToolListing['outputSchema'],
  };
}

let cached: McpToolListing[] | undefined;

/** Exactly the `tools` array of a tools/list result for the whole catalogue. */
export function toolListForMcp(): McpToolListing[] {
  cached ??= catalog.map((tool) => toolListing(tool));
  return structuredClone(cached);
}
