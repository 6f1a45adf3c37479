export { catalog, findTool } from './catalog.js';
export { renderToolsMarkdown } from './docs.js';
export * from './fields.js';
export { toolListForMcp, toolListing } from './list.js';
export * from './object-tools.js';
export * from './outputs.js';
export * from './tools/cluster.js';
export { whoami } from './tools/whoami.js';
export type {
  JsonSchemaObject,
  McpToolListing,
  RequiredScope,
  ToolAnnotations,
  ToolDefinition,
} from './types.js';
