import { objectTools } from './object-tools.js';
import { clusterTools } from './tools/cluster.js';
import { whoami } from './tools/whoami.js';
import type { ToolDefinition } from './types.js';

/** Every tool, in the order tools/list returns them. */
export const catalog: readonly ToolDefinition[] = [whoami, ...clusterTools, ...objectTools];

export function findTool(name: string): ToolDefinition | undefined {
  return catalog.find((tool) => tool.name === name);
}
