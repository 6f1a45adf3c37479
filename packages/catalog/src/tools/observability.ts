import { z } from 'zod';
import { clusterNameField, instanceNameField, namespaceField } from '../fields.js';
import type { ToolDefinition } from '../types.js';
import { limitField, readOnly, roleNameField } from './shared.js';

const target = { namespace: namespaceField.optional(), name: clusterNameField };

export const podSummary = z.object({
  name: z.string(),
  role: z.enum(['primary', 'replica', 'unknown']),
  ready: z.boolean(),
  phase: z.string(),
  restarts: z.number(),
  node: z.string(),
  ip: z.string(),
  startedAt: z.string(),
  age: z.string(),
});

export const clusterPods = {
  name: 'cluster_pods',
  title: 'Cluster pods',
  description:
    'The instance pods of a cluster: role (primary or replica), readiness, phase, restarts, node and IP.',
  inputSchema: z.strictObject(target),
  outputSchema: z.object({ namespace: z.string(), cluster: z.string(), pods: z.array(podSummary) }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const eventSummary = z.object({
  time: z.string(),
  type: z.string(),
  reason: z.string(),
  object: z.string().describe('kind/name of the object the event is about.'),
  message: z.string(),
  count: z.number(),
});

export const clusterEvents = {
  name: 'cluster_events',
  title: 'Cluster events',
  description:
    'Kubernetes events about a cluster and its pods, volumes, jobs, backups and poolers, newest first.',
  inputSchema: z.strictObject({
    ...target,
    limit: limitField,
    type: z.enum(['Normal', 'Warning']).optional().describe('Only events of this type.'),
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    events: z.array(eventSummary),
    total: z.number().describe('Matching events before the limit.'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

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
  title: 'Cluster logs',
  description:
    'Reads the logs of one instance or of every instance, parses CloudNativePG’s JSON lines (PostgreSQL records, instance manager, WAL archiving) and filters them by level, logger or text. Oldest first within the tail.',
  inputSchema: z.strictObject({
    ...target,
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

const endpoint = z.object({ service: z.string(), host: z.string(), port: z.number(), purpose: z.string() });

export const clusterConnectionInfo = {
  name: 'cluster_connection_info',
  title: 'Connection information',
  description:
    'How to connect to a cluster: read-write, read-only and any-instance services, poolers, port, application database and user, and the name of the Secret holding the password (never its value; see credential_reveal).',
  inputSchema: z.strictObject(target),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    endpoints: z.array(endpoint),
    database: z.string(),
    user: z.string(),
    secretName: z.string().describe('basic-auth Secret of the application user.'),
    superuserSecretName: z.string().describe('Superuser Secret when superuser access is enabled, else "".'),
    uri: z.string().describe('A connection URI without the password.'),
    ca: z.string().describe('Secret with the server CA certificate (ca.crt).'),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const credentialReveal = {
  name: 'credential_reveal',
  title: 'Reveal a role’s password',
  description:
    'Returns the password of a role (the application owner by default) from its Secret. The only tool that returns a secret value: refused in read-only mode or without the write scope, limited by ownership like a change, and always audited.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterNameField,
    name: roleNameField
      .optional()
      .describe('Role whose password to reveal; the application database owner when omitted.'),
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    role: z.string(),
    secretName: z.string(),
    username: z.string(),
    password: z.string(),
  }),
  annotations: readOnly,
  requiredScope: 'read',
} satisfies ToolDefinition;

export const observabilityTools = [
  clusterPods,
  clusterEvents,
  clusterLogs,
  clusterConnectionInfo,
  credentialReveal,
] as const;
