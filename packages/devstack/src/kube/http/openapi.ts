/**
 * OpenAPI discovery. `/openapi/v3` lists one document per group-version; kubectl 1.24+ reads the
 * PATCH operation's `fieldValidation` parameter there (so it validates server-side) and the models
 * for `kubectl explain`. `/openapi/v2` is the single document older clients such as kubectl 1.20
 * download (as protobuf) to validate manifests client-side before `apply` and `create`. The CNPG
 * kinds carry their published CRD schemas; core kinds have paths but no models.
 */
import { createHash } from 'node:crypto';
import { openApiSchemaOf } from '../admission/crd-schemas.js';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from '../api/resources.js';
import { modelName, modelRef, models, type OpenApiVersion } from './openapi-schemas.js';

type Node = Record<string, unknown>;

const INFO = { title: 'Kubernetes', version: 'v1.34.0' };

function gvPath(groupVersion: string): string {
  return groupVersion === 'v1' ? 'api/v1' : `apis/${groupVersion}`;
}

function served(catalog: ResourceCatalog): ResourceType[] {
  return catalog.all().filter((rt) => !rt.createOnly);
}

function query(name: string, version: OpenApiVersion): Node {
  return version === 'v2'
    ? { name, in: 'query', type: 'string', uniqueItems: true }
    : { name, in: 'query', schema: { type: 'string', uniqueItems: true } };
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'];

/** The operations kube-apiserver routes for a resource, with the extensions clients read. */
function resourcePaths(rt: ResourceType, version: OpenApiVersion): Record<string, Node> {
  const base = `/${gvPath(apiVersionOf(rt))}`;
  const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
  const item = `${collection}/{name}`;
  const hasModel = rt.custom && openApiSchemaOf(rt.kind) !== undefined;
  const model = modelName(rt.group, rt.version, rt.kind);
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const body = (schemaRef: string | undefined): Node => {
    if (!schemaRef) return { description: 'OK' };
    const schema = { $ref: modelRef(schemaRef, version) };
    return version === 'v2'
      ? { description: 'OK', schema }
      : { description: 'OK', content: { 'application/json': { schema } } };
  };
  const op = (action: string, verb: string, params: string[], code = '200', listed = false): Node => ({
    operationId: `${verb}${rt.namespaced ? 'Namespaced' : ''}${rt.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    parameters: params.map((p) => query(p, version)),
    responses: { [code]: body(hasModel ? (listed ? `${model}List` : model) : undefined) },
  });
  const paths: Record<string, Node> = {
    [collection]: {
      get: op('list', 'list', ['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch'], '200', true),
      post: op('post', 'create', WRITE_PARAMS, '201'),
      delete: op('deletecollection', 'deleteCollection', ['labelSelector', 'dryRun']),
    },
    [item]: {
      get: op('get', 'read', ['pretty']),
      put: op('put', 'replace', WRITE_PARAMS),
      patch: op('patch', 'patch', [...WRITE_PARAMS, 'force']),
      delete: op('delete', 'delete', ['dryRun', 'propagationPolicy']),
    },
  };
  if (rt.namespaced) {
    paths[`${base}/${rt.plural}`] = {
      get: op('list', 'listAllNamespaces', ['labelSelector', 'fieldSelector', 'limit', 'continue']),
    };
  }
  return paths;
}

function document(types: readonly ResourceType[], version: OpenApiVersion): Node {
  const paths = Object.assign({}, ...types.map((rt) => resourcePaths(rt, version))) as Node;
  const schemas = models(
    types.filter((rt) => rt.custom),
    version,
  );
  return version === 'v2'
    ? { swagger: '2.0', info: INFO, paths, definitions: schemas }
    : { openapi: '3.0.0', info: INFO, paths, components: { schemas } };
}

const hashes = new WeakMap<Node, string>();

function hashOf(doc: Node): string {
  let hash = hashes.get(doc);
  if (!hash) {
    hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
    hashes.set(doc, hash);
  }
  return hash;
}

/** Documents are built once per catalog (they only change with the served kinds). */
export class OpenApiDocuments {
  private readonly v3 = new Map<string, Node>();
  private v2: Node | undefined;

  constructor(private readonly catalog: ResourceCatalog) {}

  /** `/openapi/v3`: where each group-version's document is, with a content hash for caching. */
  root(): Node {
    const paths: Record<string, unknown> = {};
    for (const { group, version } of this.catalog.groupVersions()) {
      const path = gvPath(group ? `${group}/${version}` : version);
      const doc = this.groupVersion(path);
      if (doc) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(doc)}` };
    }
    return { paths };
  }

  /** `/openapi/v3/apis/<group>/<version>` (or `api/v1`). */
  groupVersion(path: string): Node | undefined {
    const cached = this.v3.get(path);
    if (cached) return cached;
    const types = served(this.catalog).filter((rt) => gvPath(apiVersionOf(rt)) === path);
    if (types.length === 0) return undefined;
    const doc = document(types, 'v3');
    this.v3.set(path, doc);
    return doc;
  }

  /** `/openapi/v2`: every group-version in one Swagger 2.0 document. */
  swagger(): Node {
    this.v2 ??= document(served(this.catalog), 'v2');
    return this.v2;
  }
}
