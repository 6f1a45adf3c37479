import { tools } from './tools/index.js';
import type { ToolDefinition } from './types.js';

/** Every tool, in the order tools/list returns them. */
export const catalog: readonly ToolDefinition[] = tools;

/** The tools beyond whoami and the cluster lifecycle: observability, credentials, roles, databases, backups, poolers, logical replication. */
export const objectTools: readonly ToolDefinition[] = catalog.filter(
  (tool) => tool.group !== null && tool.group !== 'cluster',
);

export function findTool(name: string): ToolDefinition | undefined {
  return catalog.find((tool) => tool.name === name);
}
