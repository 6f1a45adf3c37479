import { backupTools } from './tools/backups.js';
import { databaseTools } from './tools/databases.js';
import { logicalTools } from './tools/logical.js';
import { observabilityTools } from './tools/observability.js';
import { poolerTools } from './tools/poolers.js';
import { roleTools } from './tools/roles.js';

/** The tools beyond the cluster lifecycle: roles, databases, backups and restore, poolers, observability, credentials, logical replication. */
export const objectTools = [
  ...observabilityTools,
  ...roleTools,
  ...databaseTools,
  ...backupTools,
  ...poolerTools,
  ...logicalTools,
] as const;

export * from './prompts.js';
export * from './resources.js';
export * from './tools/backups.js';
export * from './tools/databases.js';
export * from './tools/logical.js';
export * from './tools/observability.js';
export * from './tools/poolers.js';
export * from './tools/roles.js';
export { cronProblem } from './tools/shared.js';
