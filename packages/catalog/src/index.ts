export { catalog, findTool, objectTools } from './catalog.js';
export * from './cnpg-parameters.js';
export { type CronSchedule, cronProblem, parseCron } from './cron.js';
export { renderToolsMarkdown } from './docs.js';
export * from './fields.js';
export { serverInstructions } from './instructions.js';
export { modelVisible, publishedSchema, toolListForMcp, toolListing } from './list.js';
export { toolModulePath } from './module-path.js';
export * from './outputs.js';
export * from './prompts.js';
export { parseQuantity } from './quantity.js';
export * from './resources.js';
export * from './selection.js';
export { backupSummary, scheduledBackupSummary } from './tools/backups/shared.js';
export { databaseSummary } from './tools/databases/shared.js';
export * from './tools/index.js';
export { publicationSummary } from './tools/logical/publication-list.js';
export { subscriptionSummary } from './tools/logical/subscription-list.js';
export { eventSummary } from './tools/observability/cluster-events.js';
export { logEntry } from './tools/observability/cluster-logs.js';
export { podSummary } from './tools/observability/cluster-pods.js';
export { PGBOUNCER_PARAMETERS, poolerSummary } from './tools/poolers/shared.js';
export { roleSummary } from './tools/roles/shared.js';
export type {
  Confirmation,
  JsonSchemaObject,
  McpToolListing,
  RequiredScope,
  ToolAnnotations,
  ToolDefinition,
  ToolGroup,
} from './types.js';
