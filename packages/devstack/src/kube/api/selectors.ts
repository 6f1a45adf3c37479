/** Label and field selectors as kube-apiserver parses them. */
import type { KubeObject } from '../types.js';
import { badRequest } from './errors.js';

type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type LabelSelector = Requirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key) || key.length > 317) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${whole}"`);
  }
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${whole}"`);
  }
  return value;
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text?.trim()) return [];
  const out: Requirement[] = [];
  for (const raw of splitTopLevel(text)) {
    const part = raw.trim();
    if (!part) throw badRequest(`unable to parse requirement: found '', expected: identifier`);
    let m = /^!\s*(\S+)$/.exec(part);
    if (m) {
      out.push({ key: checkKey(m[1]!, text), op: 'notexists' });
      continue;
    }
    m = /^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      out.push({
        key: checkKey(m[1]!, text),
        op: m[2] as 'in' | 'notin',
        values: values.map((v) => checkValue(v, text)),
      });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      out.push({
        key: checkKey(m[1]!, text),
        op: m[2] === '!=' ? 'neq' : 'eq',
        value: checkValue(m[3]!, text),
      });
      continue;
    }
    if (/^\S+$/.test(part) && !/[=!()]/.test(part)) {
      out.push({ key: checkKey(part, text), op: 'exists' });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((req) => {
    const has = Object.hasOwn(l, req.key);
    const value = l[req.key];
    switch (req.op) {
      case 'eq':
        return has && value === req.value;
      case 'neq':
        return !has || value !== req.value;
      case 'in':
        return has && req.values.includes(value!);
      case 'notin':
        return !has || !req.values.includes(value!);
      case 'exists':
        return has;
      default:
        return !has;
    }
  });
}

/** Label-selector matching for `{matchLabels, matchExpressions}` objects (Deployment selectors etc.). */
export function selectorFromMap(labels: Record<string, string>): LabelSelector {
  return Object.entries(labels).map(([key, value]) => ({ key, op: 'eq' as const, value }));
}

// ---- field selectors ----

export type FieldSelector = { field: string; op: 'eq' | 'neq'; value: string }[];

/** Fields each kind supports beyond metadata.name / metadata.namespace. */
const EXTRA_FIELDS: Record<string, (obj: KubeObject) => string | undefined> = {
  'Pod/status.phase': (o) => str(o, ['status', 'phase']),
  'Pod/spec.nodeName': (o) => str(o, ['spec', 'nodeName']),
  'Pod/spec.serviceAccountName': (o) => str(o, ['spec', 'serviceAccountName']),
  'Secret/type': (o) => (typeof o.type === 'string' ? o.type : undefined),
  'Event/involvedObject.name': (o) => str(o, ['involvedObject', 'name']),
  'Event/involvedObject.namespace': (o) => str(o, ['involvedObject', 'namespace']),
  'Event/involvedObject.kind': (o) => str(o, ['involvedObject', 'kind']),
  'Event/involvedObject.uid': (o) => str(o, ['involvedObject', 'uid']),
  'Event/involvedObject.apiVersion': (o) => str(o, ['involvedObject', 'apiVersion']),
  'Event/involvedObject.resourceVersion': (o) => str(o, ['involvedObject', 'resourceVersion']),
  'Event/involvedObject.fieldPath': (o) => str(o, ['involvedObject', 'fieldPath']),
  'Event/reason': (o) => (typeof o.reason === 'string' ? o.reason : undefined),
  'Event/type': (o) => (typeof o.type === 'string' ? o.type : undefined),
  'Event/source': (o) => str(o, ['source', 'component']),
  'Namespace/status.phase': (o) => str(o, ['status', 'phase']),
};

function str(obj: KubeObject, path: string[]): string | undefined {
  let cur: unknown = obj;
  for (const p of path)
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
  return typeof cur === 'string' ? cur : undefined;
}

export function parseFieldSelector(
  text: string | null | undefined,
  kind: string,
  custom: boolean,
): FieldSelector {
  if (!text?.trim()) return [];
  return text.split(',').map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
    const field = m[1]!;
    const supported =
      field === 'metadata.name' || field === 'metadata.namespace' || `${kind}/${field}` in EXTRA_FIELDS;
    if (!supported || (custom && !field.startsWith('metadata.'))) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]! };
  });
}

export function matchesFields(selector: FieldSelector, obj: KubeObject): boolean {
  return selector.every((req) => {
    let actual: string | undefined;
    if (req.field === 'metadata.name') actual = obj.metadata.name;
    else if (req.field === 'metadata.namespace') actual = obj.metadata.namespace ?? '';
    else actual = EXTRA_FIELDS[`${obj.kind}/${req.field}`]?.(obj) ?? '';
    return req.op === 'eq' ? actual === req.value : actual !== req.value;
  });
}
