import type { Kind, KubeObject } from './kinds.js';
import type { KubeReads } from './kube-reads.js';

/**
 * Why a tool touches an object, which decides the checks applied to it before any write:
 * - `create`: the call creates it (namespace; the write scope).
 * - `change`: the call patches or deletes it (namespace, existence, ownership, the write scope).
 * - `use`: the call reads it in order to write, or its write will refer to it (namespace,
 *   existence, ownership): a restore's Backup, a role's Cluster.
 * - `read`: a read-only look (namespace, existence, and the reads rule of the policy).
 */
export type Intent = 'create' | 'change' | 'use' | 'read';

/**
 * One object a tool declares. `name` returns undefined when the reference does not apply to this
 * call (an optional argument left out); it may look at the objects declared before it, in
 * declaration order, so a restore can name the Cluster its Backup came from, and read (never
 * write) what else decides it: the guided shrink finds the instance to recreate from the sizes
 * of the cluster's volumes.
 */
export interface ReferenceSpec<Args> {
  kind: Kind;
  intent: Intent;
  /** What the object is to this call, for messages and the audit line ("the backup to restore"). */
  role: string;
  name(args: Args, seen: Observed, kube: KubeReads): string | undefined | Promise<string | undefined>;
  /** Absence is not an error (the source cluster of a backup may be gone). */
  optional?: boolean;
  /** Where the object is missing, what the person can do ("backup_list shows what exists"). */
  hint?: string;
  /**
   * `policy`: who made it does not matter, a policy rule in the tool decides (image catalogs that
   * admins publish for everyone). Default: the caller must own it, like the object written.
   */
  ownership?: 'owner' | 'policy';
}

/** A tool's declared references, by key. */
export type References<Args> = Readonly<Record<string, ReferenceSpec<Args>>>;

/** The declared objects as read for this call, by key; a missing or inapplicable one is undefined. */
export type Observed = Readonly<Record<string, KubeObject | undefined>>;

/** A reference as resolved for one call: what the audit line records and the writer checks against. */
export interface ResolvedReference {
  key: string;
  kind: Kind;
  intent: Intent;
  role: string;
  namespace: string;
  name: string;
  exists: boolean;
  uid?: string;
}

export const describeReference = (ref: Pick<ResolvedReference, 'kind' | 'namespace' | 'name'>): string =>
  `${ref.kind} ${ref.namespace}/${ref.name}`;

/** The audit form of a resolved reference: `use Backup team-a/nightly`. */
export const auditReference = (ref: ResolvedReference): string =>
  `${ref.intent} ${describeReference(ref)}${ref.exists ? '' : ' (absent)'}`;
