/**
 * Decodes the Kubernetes protobuf encoding (magic "k8s\0" + runtime.Unknown) for the few kinds kubectl
 * sends that way: its `create` generators (Secret, ConfigMap, Namespace, ServiceAccount) and
 * `auth can-i` (SelfSubjectAccessReview, SelfSubjectRulesReview).
 */
import { unsupportedMediaType } from '../api/errors.js';

type Field = { num: number; wire: number; value: bigint | Buffer };

function varint(buf: Buffer, pos: { at: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[pos.at++];
    if (byte === undefined) throw new Error('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const key = Number(varint(buf, pos));
    const num = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ num, wire, value: varint(buf, pos) });
    else if (wire === 2) {
      const len = Number(varint(buf, pos));
      out.push({ num, wire, value: buf.subarray(pos.at, pos.at + len) });
      pos.at += len;
    } else if (wire === 1) pos.at += 8;
    else if (wire === 5) pos.at += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field) => (f.value as Buffer).toString('utf8');

function mapEntry(f: Field, bytes: boolean): [string, string] {
  let key = '';
  let value = '';
  for (const e of fields(f.value as Buffer)) {
    if (e.num === 1) key = str(e);
    if (e.num === 2) value = bytes ? (e.value as Buffer).toString('base64') : str(e);
  }
  return [key, value];
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  const owners: Record<string, unknown>[] = [];
  for (const f of fields(buf)) {
    if (f.num === 1) meta.name = str(f);
    else if (f.num === 2) meta.generateName = str(f);
    else if (f.num === 3) meta.namespace = str(f);
    else if (f.num === 5) meta.uid = str(f);
    else if (f.num === 6) meta.resourceVersion = str(f);
    else if (f.num === 11) Object.assign(labels, Object.fromEntries([mapEntry(f, false)]));
    else if (f.num === 12) Object.assign(annotations, Object.fromEntries([mapEntry(f, false)]));
    else if (f.num === 14) finalizers.push(str(f));
    else if (f.num === 13) {
      const ref: Record<string, unknown> = {};
      for (const r of fields(f.value as Buffer)) {
        if (r.num === 1) ref.kind = str(r);
        if (r.num === 3) ref.name = str(r);
        if (r.num === 4) ref.uid = str(r);
        if (r.num === 5) ref.apiVersion = str(r);
        if (r.num === 6) ref.controller = r.value === 1n;
        if (r.num === 7) ref.blockOwnerDeletion = r.value === 1n;
      }
      owners.push(ref);
    }
  }
  for (const key of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion']) {
    if (meta[key] === '') delete meta[key];
  }
  if (Object.keys(labels).length) meta.labels = labels;
  if (Object.keys(annotations).length) meta.annotations = annotations;
  if (finalizers.length) meta.finalizers = finalizers;
  if (owners.length) meta.ownerReferences = owners;
  return meta;
}

function strings(buf: Buffer, names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields(buf)) {
    const name = names[f.num];
    if (name && f.wire === 2) out[name] = str(f);
  }
  return out;
}

/** SelfSubjectAccessReview / SelfSubjectRulesReview as `kubectl auth can-i` sends them. */
function decodeReview(kind: string, raw: Buffer): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const f of fields(raw)) {
    if (f.num !== 2) continue;
    for (const s of fields(f.value as Buffer)) {
      if (kind === 'SelfSubjectRulesReview' && s.num === 1) spec.namespace = str(s);
      if (kind === 'SelfSubjectAccessReview' && s.num === 1) {
        spec.resourceAttributes = strings(s.value as Buffer, {
          1: 'namespace',
          2: 'verb',
          3: 'group',
          4: 'version',
          5: 'resource',
          6: 'subresource',
          7: 'name',
        });
      }
      if (kind === 'SelfSubjectAccessReview' && s.num === 2) {
        spec.nonResourceAttributes = strings(s.value as Buffer, { 1: 'path', 2: 'verb' });
      }
    }
  }
  return { metadata: {}, spec };
}

function decodeKind(kind: string, raw: Buffer): Record<string, unknown> {
  if (kind === 'SelfSubjectAccessReview' || kind === 'SelfSubjectRulesReview') return decodeReview(kind, raw);
  const obj: Record<string, unknown> = {};
  const maps: Record<string, Record<string, string>> = {};
  const putMap = (key: string, entry: [string, string]) => {
    maps[key] = { ...maps[key], [entry[0]]: entry[1] };
  };
  for (const f of fields(raw)) {
    if (f.num === 1) obj.metadata = objectMeta(f.value as Buffer);
    else if (kind === 'Secret') {
      if (f.num === 2) putMap('data', mapEntry(f, true));
      if (f.num === 3) obj.type = str(f);
      if (f.num === 4) putMap('stringData', mapEntry(f, false));
      if (f.num === 5) obj.immutable = f.value === 1n;
    } else if (kind === 'ConfigMap') {
      if (f.num === 2) putMap('data', mapEntry(f, false));
      if (f.num === 3) putMap('binaryData', mapEntry(f, true));
      if (f.num === 4) obj.immutable = f.value === 1n;
    }
  }
  return { ...obj, ...maps };
}

const SUPPORTED = new Set([
  'Secret',
  'ConfigMap',
  'Namespace',
  'ServiceAccount',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
]);

export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  const unsupported = () =>
    unsupportedMediaType(
      'the emulator decodes protobuf only for Secret, ConfigMap, Namespace, ServiceAccount and self-subject reviews - send application/json',
    );
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw unsupported();
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.num === 1) {
      for (const t of fields(f.value as Buffer)) {
        if (t.num === 1) apiVersion = str(t);
        if (t.num === 2) kind = str(t);
      }
    } else if (f.num === 2) raw = f.value as Buffer;
  }
  if ((apiVersion !== 'v1' && apiVersion !== 'authorization.k8s.io/v1') || !SUPPORTED.has(kind))
    throw unsupported();
  return { apiVersion, kind, ...decodeKind(kind, raw) };
}
