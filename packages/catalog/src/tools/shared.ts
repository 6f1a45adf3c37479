import { z } from 'zod';
import { clusterNameField, DNS_LABEL, namespaceField, PG_IDENTIFIER } from '../fields.js';

/** Pieces shared by the tools of several groups: annotation presets, the cluster target and field schemas. */

/** Annotation presets. Every tool uses one of these (credential_reveal adjusts one, saying why). */
export const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
/** A write that does something again on every call: creating an object, a restart, a switchover. */
export const action = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
/** A write that sets a state: calling it twice with the same input changes nothing more. */
export const change = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
export const destructive = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};
/** Takes a service away (hibernation, fencing) but sets a state: repeating it changes nothing more. */
export const destructiveIdempotent = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};

/** The cluster a cluster-lifecycle or observability tool addresses. */
export const clusterTarget = {
  namespace: namespaceField.optional(),
  name: clusterNameField,
};

/** The cluster an object belongs to (the `cluster` argument of role, database, backup… tools). */
export const clusterRefField = clusterNameField;

/** A Kubernetes object name we create or address (DNS-1123 label). */
export const objectNameField = z.string().min(1).max(63).regex(DNS_LABEL);

/** A PostgreSQL identifier as the tools accept it: lower case, unquoted, at most 63 bytes. */
export const pgIdentifierField = z.string().min(1).max(63).regex(PG_IDENTIFIER);

/** Role names CloudNativePG reserves (postgres, streaming_replica, pg_*, cnpg_*) are refused by the pattern. */
export const roleNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^(?!pg_|cnpg_|postgres$|streaming_replica$)[a-z_][a-z0-9_]*$/);

/** Reserved databases are refused by the pattern. */
export const databaseNameField = z
  .string()
  .min(1)
  .max(63)
  .regex(/^(?!postgres$|template0$|template1$)[a-z_][a-z0-9_]*$/);

export const reclaimPolicyField = z
  .enum(['retain', 'delete'])
  .describe('When the object is deleted: keep (retain) or drop (delete) it in PostgreSQL.');

/** Object name and status summary every CNPG object listing shares. */
export const appliedFields = {
  applied: z.boolean().nullable().describe('Whether the instance manager applied it; null before it tried.'),
  message: z.string().describe('The instance manager’s message, e.g. the SQL error; "" when applied.'),
};

/**
 * Optional wait for the instance manager (or operator) to act, with progress notifications: until
 * it is applied or the reason it is not is known; cancellable. The instructions say so once.
 */
export const waitFields = {
  wait: z.boolean().default(false),
  wait_timeout_seconds: z.int().min(5).max(600).default(120),
};

export const waitOutputs = {
  applied: z
    .boolean()
    .nullable()
    .describe('Applied when the call returned; null when not known (no wait, or dry run).'),
  waited: z.boolean(),
};
