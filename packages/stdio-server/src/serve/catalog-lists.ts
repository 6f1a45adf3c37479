import {
  promptListForMcp,
  resources,
  resourceTemplates,
  serverInstructions,
  toolListForMcp,
} from '@cnpg-mcp/catalog';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServedLists } from './list-cache.js';

/**
 * The built-in catalogue and instructions: what the remote serves when this version of cnpg-mcp was built. The
 * published bundle replaces this module with the same lists computed at build time
 * (scripts/bundle.mjs), so start-up neither loads the catalogue's zod schemas nor turns them into
 * JSON Schemas.
 */
export function catalogLists(): ServedLists {
  return {
    tools: toolListForMcp() as Tool[],
    prompts: promptListForMcp(),
    resources: resources.map((resource) => ({ ...resource })),
    resourceTemplates: resourceTemplates.map((template) => ({ ...template })),
    instructions: serverInstructions,
  };
}
