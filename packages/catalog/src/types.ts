import type { z } from 'zod';
import type { ListingMeta } from './selection.js';

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
  /**
   * The person, not the model, confirms this call (MCP elicitation where the client can ask;
   * otherwise `confirm`, when the tool has one). Dry runs are never asked about.
   */
  confirmation?: Confirmation;
  /** The long form for docs/tools.md; `description` is what a model reads to choose and call the tool. */
  details?: string;
}

/** What the person is asked before a call runs. */
export interface Confirmation {
  /**
   * The question, with `{argument}` or `{argument|text when absent}` placeholders filled from the
   * call's arguments (see confirmationQuestion).
   */
  question: string;
  /**
   * Only some calls are confirmed (a scale-down, a major upgrade): the remote API decides from what
   * it reads, and a dry run's result says whether the real call would be asked about.
   */
  onlySome?: true;
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
  /** The tool's toolset and what the person confirms (see selection.ts): for clients, not for models. */
  _meta?: ListingMeta;
}
