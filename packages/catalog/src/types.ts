import type { z } from 'zod';

/** Which OAuth scope a tool needs: `read` tools need the read scope, `write` tools the write scope. */
export type RequiredScope = 'read' | 'write';

/**
 * The groups tools are filed under: a tool's catalogue entry is tools/<group>/<tool>.ts here, its
 * implementation the same path in the remote API (see toolModulePath).
 */
export type ToolGroup =
  | 'cluster'
  | 'observability'
  | 'credentials'
  | 'roles'
  | 'databases'
  | 'backups'
  | 'poolers'
  | 'logical';

/** MCP tool annotations (hints for clients; the server enforces policy on its own). */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** One tool of the catalogue, as data: the remote API implements it, the stdio server lists it offline. */
export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
> {
  name: string;
  /** The tool's group; null for whoami, which is about the caller rather than any object. */
  group: ToolGroup | null;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema: Output;
  annotations: ToolAnnotations;
  requiredScope: RequiredScope;
  /** Destructive tools take `confirm`, which must equal the name of the resource they remove. */
  confirmField?: 'name' | 'instance';
}

/** JSON Schema object as published in tools/list. */
export type JsonSchemaObject = { [key: string]: unknown };

/** One entry of a tools/list result, exactly as an MCP server returns it. */
export interface McpToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchemaObject;
  annotations: ToolAnnotations;
  execution: { taskSupport: 'forbidden' };
  outputSchema: JsonSchemaObject;
}
