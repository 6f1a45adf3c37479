import { z } from 'zod';
import { instanceNameField } from '../../fields.js';
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
  description:
    'Reads the logs of one instance or of every instance, parses CloudNativePG’s JSON lines (PostgreSQL records, instance manager, WAL archiving) and filters them by level, logger or text. Oldest first within the tail.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instance: instanceNameField.optional().describe('Only this instance; every instance when omitted.'),
    container: z
      .enum(['postgres', 'bootstrap-controller', 'plugin-barman-cloud'])
      .default('postgres')
      .describe('Container to read.'),
    tail: z.int().min(1).max(5000).default(200).describe('Lines to read from the end, per pod (1 to 5000).'),
    since_seconds: z.int().min(1).max(604800).optional().describe('Only lines from the last N seconds.'),
    level: z
      .enum(['debug', 'info', 'warning', 'error'])
      .default('debug')
      .describe('Minimum level to return.'),
    logger: z
      .string()
      .max(40)
      .regex(/^[a-z-]+$/)
      .optional()
      .describe('Only this logger, e.g. postgres or instance-manager.'),
    contains: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Only entries whose message contains this text.'),
    previous: z.boolean().default(false).describe('Logs of the previous (crashed) container.'),
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    pods: z.array(z.string()),
    entries: z.array(logEntry),
    scanned: z.number().describe('Lines read before filtering.'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;
