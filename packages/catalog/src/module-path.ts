import type { ToolDefinition, ToolGroup } from './types.js';

/** The noun a group's tool names start with, dropped from module names so they do not repeat the folder. */
const GROUP_NOUNS: Record<ToolGroup, string | undefined> = {
  cluster: 'cluster',
  observability: undefined,
  credentials: 'credential',
  roles: 'role',
  databases: 'database',
  backups: 'backup',
  poolers: 'pooler',
  logical: undefined,
};

/**
 * Where a tool's module lives under tools/, without the .ts extension (the catalogue entry here, the
 * implementation at the same path in the remote API): `<group>/<tool name in kebab-case>`, the first
 * word dropped when it only repeats the group, e.g. cluster_switchover → `cluster/switchover`,
 * scheduled_backup_create → `backups/scheduled-backup-create`, cluster_logs → `observability/cluster-logs`.
 * whoami, in no group, is `whoami`.
 */
export function toolModulePath(tool: Pick<ToolDefinition, 'name' | 'group'>): string {
  const words = tool.name.split('_');
  if (tool.group === null) return words.join('-');
  if (words.length > 1 && words[0] === GROUP_NOUNS[tool.group]) words.shift();
  return `${tool.group}/${words.join('-')}`;
}
