/**
 * The models the OpenAPI documents publish for the CNPG kinds, built from the published CRD schemas
 * the way kube-apiextensions' openapi builder does (pkg/controller/openapi/builder): the CRD schema
 * with metadata as a reference to ObjectMeta, apiVersion and kind from TypeMeta and an
 * x-kubernetes-group-version-kind extension, one list model per kind, and for OpenAPI v2 the
 * schema reduced to what v2 can say (ToStructuralOpenAPIV2). Only the metav1 types those models
 * refer to are included; core kinds have no models here.
 */
import { openApiSchemaOf } from '../admission/crd-schemas.js';
import type { ResourceType } from '../api/resources.js';
import { isPlainObject } from '../types.js';

export type OpenApiVersion = 'v2' | 'v3';
type Node = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function ref(name: string, version: OpenApiVersion): string {
  return `${version === 'v2' ? '#/definitions/' : '#/components/schemas/'}${name}`;
}

/** kube-openapi's model name: the group reversed, then version and kind (io.cnpg.postgresql.v1.Cluster). */
export function modelName(group: string, version: string, kind: string): string {
  const reversed = group ? group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${reversed}.${version}.${kind}`;
}

const typeMeta = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
};

/** ObjectMeta and what it refers to (k8s.io/apimachinery/pkg/apis/meta/v1 types.go). */
function metaModels(version: OpenApiVersion): Record<string, Node> {
  const str = { type: 'string' };
  const time = { type: 'string', format: 'date-time' };
  const strMap = { type: 'object', additionalProperties: { type: 'string' } };
  return {
    [`${META}.ObjectMeta`]: {
      type: 'object',
      properties: {
        annotations: strMap,
        creationTimestamp: time,
        deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
        deletionTimestamp: time,
        finalizers: { type: 'array', items: str },
        generateName: str,
        generation: { type: 'integer', format: 'int64' },
        labels: strMap,
        managedFields: { type: 'array', items: { $ref: ref(`${META}.ManagedFieldsEntry`, version) } },
        name: str,
        namespace: str,
        ownerReferences: { type: 'array', items: { $ref: ref(`${META}.OwnerReference`, version) } },
        resourceVersion: str,
        selfLink: str,
        uid: str,
      },
    },
    [`${META}.OwnerReference`]: {
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str,
        blockOwnerDeletion: { type: 'boolean' },
        controller: { type: 'boolean' },
        kind: str,
        name: str,
        uid: str,
      },
    },
    [`${META}.ManagedFieldsEntry`]: {
      type: 'object',
      properties: {
        apiVersion: str,
        fieldsType: str,
        fieldsV1: { type: 'object' },
        manager: str,
        operation: str,
        subresource: str,
        time,
      },
    },
    [`${META}.ListMeta`]: {
      type: 'object',
      properties: {
        continue: str,
        remainingItemCount: { type: 'integer', format: 'int64' },
        resourceVersion: str,
        selfLink: str,
      },
    },
  };
}

/** ToStructuralOpenAPIV2: no junctors, no defaults, and nothing kubectl 1.20 would misread. */
function toV2(node: Node): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    if (['anyOf', 'allOf', 'oneOf', 'not', 'default', 'nullable'].includes(key)) continue;
    out[key] = value;
  }
  if (isPlainObject(out.properties)) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, toV2(v as Node)]));
  }
  if (isPlainObject(out.items)) out.items = toV2(out.items);
  if (isPlainObject(out.additionalProperties)) out.additionalProperties = toV2(out.additionalProperties);
  if (node.nullable === true || out['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out.items;
    delete out.properties;
    if (node.nullable === true || out.type === 'object') delete out.type;
  }
  if (out.type === 'array' && out.items === undefined) delete out.type;
  return out;
}

function gvk(rt: ResourceType, kind: string): Node {
  return { 'x-kubernetes-group-version-kind': [{ group: rt.group, kind, version: rt.version }] };
}

/** The models of one CNPG kind (the kind and its list), keyed by model name. */
export function kindModels(rt: ResourceType, version: OpenApiVersion): Record<string, Node> {
  const published = openApiSchemaOf(rt.kind);
  if (!published) return {};
  const schema = version === 'v2' ? toV2(published) : { ...published };
  const name = modelName(rt.group, rt.version, rt.kind);
  const listKind = `${rt.kind}List`;
  return {
    [name]: {
      ...schema,
      properties: {
        ...(schema.properties as Node),
        ...typeMeta,
        metadata: { $ref: ref(`${META}.ObjectMeta`, version) },
      },
      ...gvk(rt, rt.kind),
    },
    [modelName(rt.group, rt.version, listKind)]: {
      type: 'object',
      required: ['items'],
      properties: {
        ...typeMeta,
        items: { type: 'array', items: { $ref: ref(name, version) } },
        metadata: { $ref: ref(`${META}.ListMeta`, version) },
      },
      ...gvk(rt, listKind),
    },
  };
}

/** Every model a document for these CNPG kinds needs. */
export function models(types: readonly ResourceType[], version: OpenApiVersion): Record<string, Node> {
  const kinds = types.filter((rt) => openApiSchemaOf(rt.kind) !== undefined);
  if (kinds.length === 0) return {};
  return Object.assign(metaModels(version), ...kinds.map((rt) => kindModels(rt, version)));
}

export { ref as modelRef };
