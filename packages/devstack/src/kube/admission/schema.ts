/**
 * A structural-schema engine with the CRD semantics kube-apiextensions applies on every write:
 * unknown fields pruned (reported as warnings, or 400 with fieldValidation=Strict), nulls dropped,
 * defaults filled, then types, enums, bounds, patterns, required fields and CEL-like rules checked.
 */
import { type FieldError, fieldErrors } from '../api/errors.js';
import { deepClone, isPlainObject, type JsonValue } from '../types.js';

export interface Rule {
  /** Returns true when valid. `old` is the previous value on update (transition rules). */
  check: (self: unknown, old: unknown) => boolean;
  message: string;
  /** Only evaluated when an old value exists (transition rules like immutability). */
  transition?: boolean;
  /** Report on a child field instead of the node itself (CEL fieldPath). */
  field?: string;
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: Schema;
  preserveUnknown?: boolean;
  items?: Schema;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  default?: JsonValue;
  intOrString?: boolean;
  format?: 'date-time';
  rules?: readonly Rule[];
}

// ---- builders keep the per-kind schemas short ----
type Extra = Omit<Schema, 'type'>;
export const s = {
  str: (extra: Extra = {}): Schema => ({ type: 'string', ...extra }),
  int: (extra: Extra = {}): Schema => ({ type: 'integer', ...extra }),
  num: (extra: Extra = {}): Schema => ({ type: 'number', ...extra }),
  bool: (extra: Extra = {}): Schema => ({ type: 'boolean', ...extra }),
  enum: (values: readonly string[], extra: Extra = {}): Schema => ({
    type: 'string',
    enum: values,
    ...extra,
  }),
  obj: (properties: Record<string, Schema>, extra: Extra = {}): Schema => ({
    type: 'object',
    properties,
    ...extra,
  }),
  arr: (items: Schema, extra: Extra = {}): Schema => ({ type: 'array', items, ...extra }),
  map: (values: Schema = { type: 'string' }, extra: Extra = {}): Schema => ({
    type: 'object',
    additionalProperties: values,
    ...extra,
  }),
  /** An object whose contents are not checked (pod templates, affinity, …). */
  any: (extra: Extra = {}): Schema => ({ type: 'object', preserveUnknown: true, ...extra }),
  intOrString: (extra: Extra = {}): Schema => ({ intOrString: true, ...extra }),
  /** `{name: string}` references (LocalObjectReference). */
  ref: (extra: Extra = {}): Schema => ({
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
    ...extra,
  }),
};

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

export function validate(
  value: unknown,
  schema: Schema,
  path: string,
  old: unknown,
  errors: FieldError[],
): void {
  if (schema.intOrString) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      errors.push(
        fieldErrors.typeInvalid(
          path,
          typeName(value),
          `${path} in body must be of type integer,string: "${typeName(value)}"`,
        ),
      );
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
  if (schema.enum && !schema.enum.includes(value as string)) {
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
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      errors.push(fieldErrors.tooLong(path, schema.maxLength));
    }
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      errors.push(
        fieldErrors.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`),
      );
    }
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
      errors.push(fieldErrors.invalid(path, value, `${path} in body should match '${schema.pattern}'`));
    }
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) {
      errors.push(fieldErrors.invalid(path, value, `${path} in body must be of type date-time: "${value}"`));
    }
  }
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
    if (schema.items) {
      const oldItems = Array.isArray(old) ? old : [];
      value.forEach((item, i) => {
        validate(item, schema.items!, `${path}[${i}]`, oldItems[i], errors);
      });
    }
  }
  if (isPlainObject(value)) {
    const oldObj = isPlainObject(old) ? old : undefined;
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) errors.push(fieldErrors.required(join(path, key), ''));
    }
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
      if (childSchema && child !== undefined)
        validate(child, childSchema, join(path, key), oldObj?.[key], errors);
    }
  }
  for (const rule of schema.rules ?? []) {
    if (rule.transition && old === undefined) continue;
    if (rule.check(value, old)) continue;
    const field = rule.field ? join(path, rule.field) : path;
    const shown = rule.field && isPlainObject(value) ? value[rule.field] : value;
    errors.push(
      isPlainObject(shown) || Array.isArray(shown) || shown === undefined
        ? fieldErrors.invalidNoValue(field, rule.message)
        : fieldErrors.invalid(field, shown, rule.message),
    );
  }
}

/** CEL `self == oldSelf` for a field. */
export const immutable = (message: string): Rule => ({
  transition: true,
  message,
  check: (self, old) => JSON.stringify(self) === JSON.stringify(old),
});
