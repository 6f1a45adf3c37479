/** Validation and defaulting of core objects (what the built-in registry strategies do). */
import { badRequest, type FieldError, fieldErrors } from '../api/errors.js';
import { asRecord, isPlainObject, type KubeObject } from '../types.js';
import {
  DNS1035_LABEL_MSG,
  DNS1123_LABEL_MSG,
  DNS1123_SUBDOMAIN_MSG,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
} from './names.js';

const LABEL_NAMES = new Set(['Namespace']);
const DNS1035_NAMES = new Set(['Service']);

export function validateName(kind: string, name: string): FieldError[] {
  if (LABEL_NAMES.has(kind) && !isDns1123Label(name)) {
    return [fieldErrors.invalid('metadata.name', name, DNS1123_LABEL_MSG)];
  }
  if (DNS1035_NAMES.has(kind) && !isDns1035Label(name)) {
    return [fieldErrors.invalid('metadata.name', name, DNS1035_LABEL_MSG)];
  }
  if (!isDns1123Subdomain(name)) return [fieldErrors.invalid('metadata.name', name, DNS1123_SUBDOMAIN_MSG)];
  return [];
}

export function validateMetadata(obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (!isQualifiedName(key)) {
      errors.push(
        fieldErrors.invalid(
          'metadata.labels',
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
      );
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      errors.push(
        fieldErrors.invalid(
          'metadata.labels',
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  for (const key of Object.keys(obj.metadata.annotations ?? {})) {
    if (!isQualifiedName(key)) {
      errors.push(
        fieldErrors.invalid(
          'metadata.annotations',
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
  }
  return errors;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Secrets: stringData folds into data; data must be base64 (a 400 like the JSON decoder's). */
function normalizeSecret(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const data: Record<string, unknown> = isPlainObject(obj.data) ? obj.data : {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
      throw badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0`,
      );
    }
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
      errors.push(
        fieldErrors.invalid(
          `data[${key}]`,
          key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
    }
  }
  if (isPlainObject(obj.stringData)) {
    for (const [key, value] of Object.entries(obj.stringData)) {
      data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    }
    delete obj.stringData;
  }
  obj.data = data;
  obj.type ??= 'Opaque';
  if (old && old.type !== obj.type) errors.push(fieldErrors.invalid('type', obj.type, 'field is immutable'));
  if (obj.type === 'kubernetes.io/basic-auth' && data.username === undefined && data.password === undefined) {
    errors.push(fieldErrors.required('data[username]', ''));
  }
  if (obj.type === 'kubernetes.io/tls') {
    if (data['tls.crt'] === undefined) errors.push(fieldErrors.required('data[tls.crt]', ''));
    if (data['tls.key'] === undefined) errors.push(fieldErrors.required('data[tls.key]', ''));
  }
  if (old && old.immutable === true && JSON.stringify(old.data) !== JSON.stringify(obj.data)) {
    errors.push(fieldErrors.forbidden('data', 'field is immutable when `immutable` is set'));
  }
  return errors;
}

function normalizeNamespace(obj: KubeObject): void {
  obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  obj.spec = { finalizers: ['kubernetes'] };
}

function validatePod(obj: KubeObject): FieldError[] {
  const containers = asRecord(obj.spec).containers;
  if (!Array.isArray(containers) || containers.length === 0)
    return [fieldErrors.required('spec.containers', '')];
  const errors: FieldError[] = [];
  containers.forEach((c, i) => {
    if (typeof asRecord(c).name !== 'string')
      errors.push(fieldErrors.required(`spec.containers[${i}].name`, ''));
    if (typeof asRecord(c).image !== 'string')
      errors.push(fieldErrors.required(`spec.containers[${i}].image`, ''));
  });
  return errors;
}

function validateService(obj: KubeObject): FieldError[] {
  const sp = asRecord(obj.spec);
  const ports = sp.ports;
  const errors: FieldError[] = [];
  if (
    sp.type !== 'ExternalName' &&
    (!Array.isArray(ports) || ports.length === 0) &&
    sp.clusterIP !== 'None'
  ) {
    errors.push(fieldErrors.required('spec.ports', ''));
  }
  return errors;
}

/** Core strategies: normalise the object in place and return field errors. */
export function admitCore(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  switch (obj.kind) {
    case 'Secret':
      return normalizeSecret(obj, old);
    case 'Namespace':
      normalizeNamespace(obj);
      return [];
    case 'Pod':
      return validatePod(obj);
    case 'Service':
      return validateService(obj);
    case 'ConfigMap':
      if (obj.data !== undefined && !isPlainObject(obj.data))
        return [fieldErrors.invalid('data', obj.data, 'must be a map')];
      return [];
    default:
      return [];
  }
}
