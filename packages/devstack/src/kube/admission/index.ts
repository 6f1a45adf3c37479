/**
 * The admission chain for writes to the main endpoint: mutating webhooks, then structural schema
 * (prune, default, validate, CEL rules) or the core strategy, then validating webhooks.
 */
import { badRequest, type FieldError, invalid } from '../api/errors.js';
import type { ResourceType } from '../api/resources.js';
import type { KubeObject } from '../types.js';
import { CNPG_WEBHOOKS } from './cnpg-webhooks.js';
import { admitCore, validateMetadata, validateName } from './core.js';
import { CNPG_SCHEMAS } from './crd-schemas.js';
import {
  applyDefaults,
  blocksRules,
  hasRules,
  prune,
  RULES_NOT_CHECKED,
  validate,
  validateRules,
} from './schema.js';
import type { AdmissionContext } from './types.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** What CNPG's bypassable validator answers for an object annotated `cnpg.io/validation: disabled` (internal/webhook/v1/common.go). */
const VALIDATION_DISABLED_WARNING =
  'validation webhook is disabled — all changes are accepted without validation. This may lead to unsafe or destructive operations. Proceed with extreme caution.';

export interface AdmissionResult {
  object: KubeObject;
  warnings: string[];
}

export type { AdmissionContext } from './types.js';

export function admit(
  rt: ResourceType,
  input: KubeObject,
  ctx: AdmissionContext,
  fieldValidation: FieldValidation,
): AdmissionResult {
  const obj = input;
  const name = obj.metadata.name ?? '';
  const warnings: string[] = [];
  const webhook = rt.custom ? CNPG_WEBHOOKS[rt.kind] : undefined;
  webhook?.mutate?.(obj, ctx);

  const errors: FieldError[] = [];
  if (ctx.operation === 'CREATE') errors.push(...validateName(rt.kind, name));
  errors.push(...validateMetadata(obj));

  const schema = rt.custom ? CNPG_SCHEMAS[rt.kind] : undefined;
  if (schema) {
    const unknown: string[] = [];
    prune(obj, schema, '', unknown);
    if (unknown.length > 0 && fieldValidation === 'Strict') {
      throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (fieldValidation === 'Warn') warnings.push(...unknown.map((f) => `unknown field "${f}"`));
    applyDefaults(obj, schema);
    validate(obj, schema, '', errors);
    if (hasRules(schema)) {
      if (blocksRules(errors)) errors.push(RULES_NOT_CHECKED);
      else validateRules(obj, schema, '', ctx.old ? { value: ctx.old } : undefined, errors);
    }
  } else if (!rt.custom) {
    errors.push(...admitCore(obj, ctx.old));
  }
  if (errors.length > 0) throw invalid(rt, name, errors);

  const validation = obj.metadata.annotations?.['cnpg.io/validation'];
  if (webhook?.validate && validation === 'disabled') warnings.push(VALIDATION_DISABLED_WARNING);
  if (webhook?.validate && validation !== 'disabled') {
    if (validation !== undefined && validation !== '' && validation !== 'enabled') {
      warnings.push(
        `invalid "cnpg.io/validation" annotation: ${JSON.stringify(validation)} (expected "enabled" or "disabled")`,
      );
    }
    const result = webhook.validate(obj, ctx);
    warnings.push(...result.warnings);
    if (result.errors.length > 0) {
      throw invalid(rt, name, result.errors, {
        prefix: `admission webhook "${webhook.name}" denied the request: `,
        ...(ctx.operation === 'UPDATE' && webhook.updateGroup ? { group: webhook.updateGroup } : {}),
      });
    }
  }
  return { object: obj, warnings };
}
