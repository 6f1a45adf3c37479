import { z } from 'zod';
import { instanceNameField, pageFields, pageOutputs } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, readOnly } from '../shared.js';

export const logEntry = z.object({
  pod: z.string(),
  time: z.string(),
  level: z.string().describe('debug, info, warning, error or fatal (PostgreSQL severities are mapped).'),
  logger: z.string().describe('postgres, instance-manager, pgaudit, wal-archive, … ("" for non-JSON lines).'),
  message: z.string(),
  severity: z.string().describe('PostgreSQL error_severity for postgres records, else "".'),
  user: z.string(),
  database: z.string(),
  sqlState: z.string(),
});

export const clusterLogs = {
  name: 'cluster_logs',
  group: 'observability',
  title: 'Cluster logs',
  description: 'Parsed logs of one or every instance, filtered by level, logger or text; oldest first.',
  details:
    'Reads the logs of one instance or of every instance, parses CloudNativePG’s JSON lines (PostgreSQL records, instance manager, WAL archiving) and filters them by level, logger or text. Oldest first within the tail. `limit` and `continue` page from the newest entries back.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instance: instanceNameField.optional(),
    container: z.enum(['postgres', 'bootstrap-controller', 'plugin-barman-cloud']).default('postgres'),
    tail: z.int().min(1).max(5000).default(200).describe('Lines read per pod, from the end.'),
    since_seconds: z.int().min(1).max(604800).optional(),
    level: z.enum(['debug', 'info', 'warning', 'error']).default('debug').describe('Minimum level.'),
    logger: z
      .string()
      .max(40)
      .regex(/^[a-z-]+$/)
      .optional()
      .describe('e.g. postgres, instance-manager.'),
    contains: z.string().min(1).max(200).optional(),
    previous: z.boolean().default(false).describe('The previous (crashed) container.'),
    ...pageFields,
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    pods: z.array(z.string()),
    entries: z.array(logEntry),
    scanned: z.number().describe('Lines read before filtering.'),
    ...pageOutputs,
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
