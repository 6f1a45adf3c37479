/**
 * The admission-validation bypass (`cnpg.io/validation: disabled`) the guided storage shrink needs
 * for the one write that makes the storage size smaller, which CloudNativePG's webhook refuses.
 * It can never be left behind: the write that sets it records until when it may last, the same
 * call switches validation back on at once, and any later cluster_storage_shrink,
 * cluster_storage_shrink_status or cluster_status call past that time switches it back on.
 */
import type { Identity } from '../../identity.js';
import { type Access, requireOwnership } from '../../policy.js';
import type { ToolContext } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { ReferenceSpec } from '../framework/references.js';
import type { ClusterObject } from './model.js';

export const VALIDATION_ANNOTATION = 'cnpg.io/validation';
export const DISABLED_UNTIL_ANNOTATION = 'cnpg-mcp.io/validation-disabled-until';
/** How long the bypass may outlive the call that set it when that call could not switch it back. */
export const BYPASS_MS = 10 * 60 * 1000;

export interface ValidationState {
  disabled: boolean;
  /** ISO time when cnpg-mcp disabled it; '' when it is not disabled or was disabled outside cnpg-mcp. */
  disabledUntil: string;
  /** Disabled by cnpg-mcp and past its time: the next call that may change the cluster restores it. */
  overdue: boolean;
}

export function validationState(cluster: KubeObject | undefined, now: number): ValidationState {
  const annotations = cluster?.metadata.annotations ?? {};
  const disabled = annotations[VALIDATION_ANNOTATION] === 'disabled';
  const until = annotations[DISABLED_UNTIL_ANNOTATION];
  if (!disabled || until === undefined) return { disabled, disabledUntil: '', overdue: false };
  const deadline = Date.parse(until);
  // An unreadable time is ours and wrong: restore rather than trust it.
  return { disabled, disabledUntil: until, overdue: Number.isNaN(deadline) || now >= deadline };
}

/** Annotations that switch validation off until `now + BYPASS_MS`. */
export const disabledValidation = (now: number): Record<string, string> => ({
  [VALIDATION_ANNOTATION]: 'disabled',
  [DISABLED_UNTIL_ANNOTATION]: new Date(now + BYPASS_MS).toISOString(),
});

/** A merge patch that switches validation back on. */
export const RESTORE_VALIDATION = {
  metadata: { annotations: { [VALIDATION_ANNOTATION]: null, [DISABLED_UNTIL_ANNOTATION]: null } },
};

/**
 * For the read tools: the cluster again, to change, declared only when its bypass is overdue.
 * Ownership is checked by `mayRestore` (a reader who may not change it just sees the state).
 */
export function overdueValidationReference<Args extends { name: string }>(): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent: 'change',
    ownership: 'policy',
    optional: true,
    role: 'cluster whose validation bypass is past its time',
    name: (args, seen) => (validationState(seen.cluster, Date.now()).overdue ? args.name : undefined),
  };
}

/** Pure: whether this caller may switch validation back on (they could change the cluster). */
export function mayRestore(access: Access, identity: Identity, cluster: KubeObject): boolean {
  if (access.readOnly) return false;
  try {
    requireOwnership(access, identity, cluster, 'cluster');
    return true;
  } catch {
    return false;
  }
}

export interface ValidationReport {
  disabled: boolean;
  disabledUntil: string;
  restored: boolean;
}

/**
 * For the read tools: restores validation when the overdue reference was declared and the caller
 * may change the cluster; returns what to show, and the cluster as it is after.
 */
export async function restoreOverdueValidation(
  ctx: ToolContext,
  cluster: ClusterObject,
): Promise<{ validation: ValidationReport; cluster: ClusterObject }> {
  const state = validationState(cluster, Date.now());
  const target = ctx.seen.overdueValidation;
  if (state.overdue && target && mayRestore(ctx.access, ctx.identity, target)) {
    const restored = await ctx.write.patch<ClusterObject>(
      'Cluster',
      cluster.metadata.name,
      RESTORE_VALIDATION,
    );
    return { validation: { disabled: false, disabledUntil: '', restored: true }, cluster: restored };
  }
  return {
    validation: { disabled: state.disabled, disabledUntil: state.disabledUntil, restored: false },
    cluster,
  };
}

/** A line for people, or '' when validation is on. */
export function describeValidation(validation: ValidationReport): string {
  if (validation.restored)
    return 'Validation: the storage shrink’s bypass was past its time; switched back on now.';
  if (!validation.disabled) return '';
  return validation.disabledUntil
    ? `Validation: OFF (cnpg.io/validation: disabled) by a storage shrink until ${validation.disabledUntil}; the next cluster_storage_shrink or status call after that switches it back on.`
    : 'Validation: OFF (cnpg.io/validation: disabled, set outside cnpg-mcp): the operator does not check changes to this cluster.';
}
