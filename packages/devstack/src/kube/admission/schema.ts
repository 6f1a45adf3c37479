/**
 * A structural-schema engine with the CRD semantics kube-apiextensions applies on every write:
 * unknown fields pruned (reported as warnings, or 400 with fieldValidation=Strict), nulls dropped,
 * defaults filled, then types, enums, bounds, patterns, required fields and list invariants checked,
 * and — only when none of those blocks — the `x-kubernetes-validations` CEL rules run.
 */
import { type FieldError, fieldErrors } from '../api/errors.js';
import { deepClone, isPlainObject, type JsonValue } from '../types.js';
import { compileRule, type RawRule, type Rule } from './cel.js';

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: Schema;
  preserveUnknown?: boolean;
  items?: Schema;
  enum?: readonly JsonValue[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  minItems?: number;
  maxItems?: number;
  default?: JsonValue;
  intOrString?: boolean;
  format?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: readonly string[];
  rules?: readonly Rule[];
}

type OpenApi = Record<string, unknown>;

/** Converts a published OpenAPI v3 (structural) schema into the engine's form, compiling its CEL rules. */
export function fromOpenApi(node: OpenApi): Schema {
  const out: Schema = {};
  if (typeof node.type === 'string') out.type = node.type as Schema['type'];
  if (node['x-kubernetes-int-or-string'] === true) out.intOrString = true;
  if (node['x-kubernetes-preserve-unknown-fields'] === true) out.preserveUnknown = true;
  if (isPlainObject(node.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([k, v]) => [k, fromOpenApi(v as OpenApi)]),
    );
  }
  if (isPlainObject(node.additionalProperties))
    out.additionalProperties = fromOpenApi(node.additionalProperties);
  if (isPlainObject(node.items)) out.items = fromOpenApi(node.items);
  if (Array.isArray(node.required)) out.required = node.required as string[];
  if (Array.isArray(node.enum)) out.enum = node.enum as JsonValue[];
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const) {
    if (typeof node[key] === 'number') out[key] = node[key] as number;
  }
  if (typeof node.pattern === 'string') out.pattern = new RegExp(node.pattern, 'u');
  if (node.default !== undefined) out.default = node.default as JsonValue;
  if (typeof node.format === 'string') out.format = node.format;
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') out.listType = listType;
  if (Array.isArray(node['x-kubernetes-list-map-keys'])) {
    out.listMapKeys = node['x-kubernetes-list-map-keys'] as string[];
  }
  if (Array.isArray(node['x-kubernetes-validations'])) {
    out.rules = (node['x-kubernetes-validations'] as RawRule[]).map(compileRule);
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Drops unknown fields and nulls; returns the paths of pruned unknown fields. */
export function prune(value: unknown, schema: Schema, path: string, unknown: string[]): unknown {
  if (schema.preserveUnknown || schema.intOrString) return value;
  if (schema.type === 'object' && isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const child = schema.properties?.[key] ?? schema.additionalProperties;
      if (value[key] === null) {
        delete value[key];
      } else if (!child) {
        unknown.push(join(path, key));
        delete value[key];
      } else {
        value[key] = prune(value[key], child, join(path, key), unknown);
      }
    }
  } else if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      value[i] = prune(item, schema.items!, `${path}[${i}]`, unknown);
    });
  }
  return value;
}

export function applyDefaults(value: unknown, schema: Schema): unknown {
  if (schema.type === 'object' && isPlainObject(value)) {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (value[key] === undefined && child.default !== undefined) value[key] = deepClone(child.default);
      if (value[key] !== undefined) value[key] = applyDefaults(value[key], child);
    }
    if (schema.additionalProperties) {
      for (const key of Object.keys(value))
        value[key] = applyDefaults(value[key], schema.additionalProperties);
    }
  } else if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      value[i] = applyDefaults(item, schema.items!);
    });
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: Schema['type']): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function validateString(value: string, schema: Schema, path: string, errors: FieldError[]): void {
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    errors.push(fieldErrors.tooLong(path, schema.maxLength));
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    errors.push(
      fieldErrors.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`),
    );
  }
  if (schema.pattern && !schema.pattern.test(value)) {
    errors.push(fieldErrors.invalid(path, value, `${path} in body should match '${schema.pattern.source}'`));
  }
  if (schema.format === 'date-time' && !DATE_TIME.test(value)) {
    errors.push(fieldErrors.invalid(path, value, `${path} in body must be of type date-time: "${value}"`));
  }
}

/** x-kubernetes-list-type set (unique items) and map (unique keys) invariants. */
function validateListType(value: unknown[], schema: Schema, path: string, errors: FieldError[]): void {
  if (schema.listType !== 'set' && schema.listType !== 'map') return;
  const seen = new Set<string>();
  value.forEach((item, i) => {
    const key =
      schema.listType === 'map'
        ? JSON.stringify((schema.listMapKeys ?? []).map((k) => (isPlainObject(item) ? item[k] : undefined)))
        : JSON.stringify(item);
    if (seen.has(key)) {
      const shown =
        schema.listType === 'map' && isPlainObject(item)
          ? Object.fromEntries((schema.listMapKeys ?? []).map((k) => [k, item[k]]))
          : item;
      errors.push(fieldErrors.duplicate(`${path}[${i}]`, shown));
    }
    seen.add(key);
  });
}

/** The OpenAPI checks (no CEL): types, enums, bounds, patterns, required fields, list invariants. */
export function validate(value: unknown, schema: Schema, path: string, errors: FieldError[]): void {
  if (schema.intOrString) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      errors.push(
        fieldErrors.typeInvalid(
          path,
          typeName(value),
          `${path} in body must be of type integer,string: "${typeName(value)}"`,
        ),
      );
    } else if (typeof value === 'string') {
      validateString(value, schema, path, errors);
    }
    return;
  }
  if (schema.type && !typeMatches(value, schema.type)) {
    const actual = typeName(value);
    errors.push(
      fieldErrors.typeInvalid(path, actual, `${path} in body must be of type ${schema.type}: "${actual}"`),
    );
    return;
  }
  if (schema.enum && !schema.enum.includes(value as JsonValue)) {
    errors.push(fieldErrors.notSupported(path, value, schema.enum));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      errors.push(
        fieldErrors.invalid(
          path,
          value,
          `${path} in body should be greater than or equal to ${schema.minimum}`,
        ),
      );
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      errors.push(
        fieldErrors.invalid(path, value, `${path} in body should be less than or equal to ${schema.maximum}`),
      );
    }
  }
  if (typeof value === 'string') validateString(value, schema, path, errors);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(
        fieldErrors.invalid(
          path,
          value.length,
          `${path} in body should have at least ${schema.minItems} items`,
        ),
      );
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push(fieldErrors.tooMany(path, value.length, schema.maxItems));
    }
    validateListType(value, schema, path, errors);
    if (schema.items) {
      value.forEach((item, i) => {
        validate(item, schema.items!, `${path}[${i}]`, errors);
      });
    }
  }
  if (isPlainObject(value)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) errors.push(fieldErrors.required(join(path, key), ''));
    }
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
      if (childSchema && child !== undefined) validate(child, childSchema, join(path, key), errors);
    }
  }
}

/** Errors that stop the API server from running the CEL rules (apiextensions' hasBlockingErr). */
const BLOCKING = new Set([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

const withRules = new WeakMap<Schema, boolean>();

/** Whether a schema has CEL rules anywhere (without any, the API server has no CEL validator). */
export function hasRules(schema: Schema): boolean {
  let found = withRules.get(schema);
  if (found === undefined) {
    found =
      (schema.rules?.length ?? 0) > 0 ||
      Object.values(schema.properties ?? {}).some(hasRules) ||
      (schema.additionalProperties !== undefined && hasRules(schema.additionalProperties)) ||
      (schema.items !== undefined && hasRules(schema.items));
    withRules.set(schema, found);
  }
  return found;
}

export function blocksRules(errors: readonly FieldError[]): boolean {
  return errors.some((e) => BLOCKING.has(e.type));
}

/** What the API server reports instead of running the rules (a field error on no path). */
export const RULES_NOT_CHECKED: FieldError = fieldErrors.invalid(
  '<nil>',
  null,
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
);

/** The old list item a new one correlates with: only map lists, by their keys. */
function correlatedItem(item: unknown, old: unknown, schema: Schema): { value: unknown } | undefined {
  if (schema.listType !== 'map' || !Array.isArray(old) || !isPlainObject(item)) return undefined;
  const keys = schema.listMapKeys ?? [];
  const match = old.find((o) => isPlainObject(o) && keys.every((k) => o[k] === item[k]));
  return match === undefined ? undefined : { value: match };
}

function ruleError(rule: Rule, schema: Schema, value: unknown, path: string): FieldError {
  const field = rule.fieldPath ? join(path, rule.fieldPath) : path;
  const composite = schema.type === 'object' || schema.type === 'array';
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return fieldErrors.forbidden(field, rule.message);
    case 'FieldValueRequired':
      return fieldErrors.required(field, rule.message);
    case 'FieldValueDuplicate':
      return fieldErrors.duplicate(field, value);
    default:
      return composite
        ? fieldErrors.invalidNoValue(field, rule.message)
        : fieldErrors.invalid(field, value, rule.message);
  }
}

/**
 * Runs the CEL rules of every node present in `value`. `old` holds the previous value when the node
 * existed before (transition rules such as `self == oldSelf` run only then).
 */
export function validateRules(
  value: unknown,
  schema: Schema,
  path: string,
  old: { value: unknown } | undefined,
  errors: FieldError[],
): void {
  for (const rule of schema.rules ?? []) {
    if (rule.usesOldSelf && old === undefined) continue;
    const outcome = rule.evaluate(value, old?.value);
    if (outcome === true) continue;
    if (outcome === false) {
      errors.push(ruleError(rule, schema, value, path));
    } else if (outcome.error.startsWith('no such overload')) {
      errors.push(
        fieldErrors.invalid(
          path,
          schema.type ?? '',
          `'${outcome.error}': call arguments did not match a supported operator, function or macro signature for rule: ${rule.message}`,
        ),
      );
    } else {
      errors.push(
        fieldErrors.invalid(path, schema.type ?? '', `${outcome.error} evaluating rule: ${rule.message}`),
      );
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      validateRules(item, schema.items!, `${path}[${i}]`, correlatedItem(item, old?.value, schema), errors);
    });
  }
  if (isPlainObject(value)) {
    const oldObj = isPlainObject(old?.value) ? old.value : undefined;
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
      if (!childSchema || child === undefined) continue;
      const oldChild = oldObj && oldObj[key] !== undefined ? { value: oldObj[key] } : undefined;
      validateRules(child, childSchema, join(path, key), oldChild, errors);
    }
  }
}
