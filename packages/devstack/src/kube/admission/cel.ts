/**
 * CRD `x-kubernetes-validations` rules, run with @bufbuild/cel the way kube-apiextensions runs them:
 * `self` is the value at the rule's node (objects and maps as CEL maps, integers as CEL ints),
 * `oldSelf` the previous value on update, and evaluation errors are reported with cel-go's wording.
 */
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import type { FieldErrorType } from '../api/errors.js';
import { isPlainObject } from '../types.js';

/** One `x-kubernetes-validations` entry as a CRD publishes it. */
export interface RawRule {
  rule: string;
  message?: string;
  reason?: string;
  fieldPath?: string;
}

export type RuleOutcome = true | false | { error: string };

export interface Rule {
  /** Runs the rule against the node's value (and its previous value, for transition rules). */
  evaluate: (self: unknown, old: unknown) => RuleOutcome;
  /** Shown when the rule is false: its message, or the rule text when it has none. */
  message: string;
  /** Rules reading oldSelf (transition rules) run only on updates with a previous value. */
  usesOldSelf: boolean;
  /** Report on this child path (the rule's fieldPath without its leading dot). */
  fieldPath?: string;
  reason: FieldErrorType;
}

const env = celEnv();

/** A JSON value as a CEL value: objects become maps, integers CEL ints (bigint), the rest as is. */
export function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (isPlainObject(value)) {
    return new Map(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toCel(v)]),
    );
  }
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}

/** cel-es words some runtime errors differently from cel-go, whose text the API server shows. */
function celGoWording(message: string): string {
  return message
    .replace(/^field not found: /, 'no such key: ')
    .replace(/^found no matching overload for /, 'no such overload: ');
}

const REASONS: Record<string, FieldErrorType> = {
  FieldValueForbidden: 'FieldValueForbidden',
  FieldValueRequired: 'FieldValueRequired',
  FieldValueDuplicate: 'FieldValueDuplicate',
  FieldValueInvalid: 'FieldValueInvalid',
};

export function compileRule(raw: RawRule): Rule {
  const program = plan(env, parse(raw.rule));
  const usesOldSelf = /\boldSelf\b/.test(raw.rule);
  return {
    evaluate(self, old) {
      const bindings: Record<string, unknown> = { self: toCel(self) };
      if (usesOldSelf) bindings.oldSelf = toCel(old);
      const result = program(bindings as Parameters<typeof program>[0]);
      if (isCelError(result)) return { error: celGoWording(result.message) };
      return result === true;
    },
    message: (raw.message ?? raw.rule).trim(),
    usesOldSelf,
    ...(raw.fieldPath ? { fieldPath: raw.fieldPath.replace(/^\./, '') } : {}),
    reason: REASONS[raw.reason ?? ''] ?? 'FieldValueInvalid',
  };
}
