/**
 * The reads of one caller: from the watch cache when it can answer exactly as the API server
 * would, otherwise from the API server ("read through"). The cache answers when
 *  - the resource is watched where the read looks (the namespace, or all of them),
 *  - its informer is synced and has seen every write this process made to it (read-your-writes:
 *    a read waits up to WAIT_FOR_WRITES_MS, then goes to the API server),
 *  - the read asks for nothing the cache cannot evaluate (paging, field selectors, label
 *    selectors it does not parse, pods or PVCs not selected by their cluster label),
 *  - and, when the remote API impersonates its callers, Kubernetes RBAC lets this caller get or
 *    list it there (access-review.ts).
 * Objects are handed out as the cache holds them, frozen (no copy per read): no caller can
 * change what another sees. Core kinds become client-node model objects, as a direct read gives.
 */
import { ApiException, type CoreV1Api } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { KubeApis, ReadCache, WriteObserver } from '../kube/client.js';
import type { KubeObject } from '../tools/framework/kinds.js';
import type { KubeReads } from '../tools/framework/kube-reads.js';
import type { AccessCheck, AccessReviews } from './access-review.js';
import type { Informer, WatchedResource } from './informer.js';
import { coreModelOf, type WatchCache } from './informers.js';
import { matchesLabels, parseLabelSelector, type Requirement, requiresLabel } from './label-selector.js';

/** How long a read waits for the cache to see this process's own writes before asking the API server. */
export const WAIT_FOR_WRITES_MS = 2000;

export type ReadSource = 'cache' | 'api';

export interface ReadThroughDeps {
  cache: WatchCache;
  /** Set when the caller is impersonated: whether Kubernetes RBAC lets them read what the cache holds. */
  access?: AccessCheck;
  onRead?: (resource: string, source: ReadSource) => void;
}

type Params<F> = F extends (param: infer P, ...rest: never[]) => unknown ? P : never;

/** The list parameters the cache answers; any other (limit, continue, fieldSelector, resourceVersion…) reads through. */
const ANSWERABLE = new Set(['group', 'version', 'plural', 'namespace', 'labelSelector']);

const byNamespaceAndName = (a: KubeObject, b: KubeObject) =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

/** The API server's answer to a get of something that does not exist. */
function notFound(resource: WatchedResource, name: string): ApiException<string> {
  const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
  const body = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${qualified} "${name}" not found`,
    reason: 'NotFound',
    details: { name, group: resource.group, kind: resource.plural },
    code: 404,
  };
  return new ApiException(404, 'Not Found', JSON.stringify(body), {});
}

export function readThrough(apis: KubeApis, deps: ReadThroughDeps): KubeReads {
  const record = (resource: string, source: ReadSource) => deps.onRead?.(resource, source);

  /** The informer that may answer this read for this caller, or undefined (read through). */
  const answering = async (
    group: string,
    plural: string,
    namespace: string | undefined,
    verb: 'get' | 'list',
    name?: string,
  ): Promise<
    { resource: WatchedResource; informer: Informer; namespace: string | undefined } | undefined
  > => {
    const resource = deps.cache.resource(group, plural);
    if (!resource) return undefined;
    const where = resource.clusterScoped ? undefined : namespace;
    const informer = deps.cache.informerFor(resource, where);
    if (!informer || !(await informer.caughtUp(WAIT_FOR_WRITES_MS))) return undefined;
    if (
      deps.access &&
      !(await deps.access.allows({
        verb,
        group,
        resource: plural,
        namespace: where,
        ...(name ? { name } : {}),
      }))
    )
      return undefined;
    return { resource, informer, namespace: where };
  };

  /** The requirements of a list the cache can answer, or undefined. */
  const listable = (params: object, resource: WatchedResource | undefined): Requirement[] | undefined => {
    if (!resource || !Object.keys(params).every((key) => ANSWERABLE.has(key))) return undefined;
    const requirements = parseLabelSelector((params as { labelSelector?: string }).labelSelector);
    if (!requirements) return undefined;
    if (resource.requiredLabel && !requiresLabel(requirements, resource.requiredLabel)) return undefined;
    return requirements;
  };

  const listFrom = (
    found: { resource: WatchedResource; informer: Informer; namespace: string | undefined },
    requirements: Requirement[],
  ) => {
    const items = found.informer
      .list(found.namespace)
      .filter((object) => matchesLabels(requirements, object.metadata.labels))
      .slice()
      .sort(byNamespaceAndName);
    const { group, version, kind } = found.resource;
    return {
      apiVersion: group ? `${group}/${version}` : version,
      kind: `${kind}List`,
      metadata: { resourceVersion: found.informer.resourceVersion },
      items,
    };
  };

  /** A core list or object as client-node returns it (model objects: timestamps are Dates). */
  const asModel = <T>(value: unknown, plural: string, list: boolean): T =>
    ObjectSerializer.deserialize(value, `${coreModelOf(plural)}${list ? 'List' : ''}`, '') as T;

  const custom: KubeReads['custom'] = {
    getAPIResources: (...args) => apis.custom.getAPIResources(...args),

    async getNamespacedCustomObject(params, options) {
      const found = await answering(params.group, params.plural, params.namespace, 'get', params.name);
      record(params.plural, found ? 'cache' : 'api');
      if (!found) return apis.custom.getNamespacedCustomObject(params, options);
      const object = found.informer.get(found.namespace, params.name);
      if (!object) throw notFound(found.resource, params.name);
      return object;
    },

    async getClusterCustomObject(params, options) {
      const found = await answering(params.group, params.plural, undefined, 'get', params.name);
      record(params.plural, found ? 'cache' : 'api');
      if (!found) return apis.custom.getClusterCustomObject(params, options);
      const object = found.informer.get(undefined, params.name);
      if (!object) throw notFound(found.resource, params.name);
      return object;
    },

    async listNamespacedCustomObject(params, options) {
      const requirements = listable(params, deps.cache.resource(params.group, params.plural));
      const found = requirements && (await answering(params.group, params.plural, params.namespace, 'list'));
      record(params.plural, found ? 'cache' : 'api');
      if (!found || !requirements) return apis.custom.listNamespacedCustomObject(params, options);
      return listFrom(found, requirements);
    },

    async listClusterCustomObject(params, options) {
      const requirements = listable(params, deps.cache.resource(params.group, params.plural));
      const found = requirements && (await answering(params.group, params.plural, undefined, 'list'));
      record(params.plural, found ? 'cache' : 'api');
      if (!found || !requirements) return apis.custom.listClusterCustomObject(params, options);
      return listFrom(found, requirements);
    },
  };

  /** A core list (pods or PVCs of clusters) from the cache, or undefined. */
  const coreList = async <T>(plural: string, params: Params<CoreV1Api['listNamespacedPod']>) => {
    const requirements = listable({ group: '', plural, ...params }, deps.cache.resource('', plural));
    const found = requirements && (await answering('', plural, params.namespace, 'list'));
    record(plural, found ? 'cache' : 'api');
    return found && requirements ? asModel<T>(listFrom(found, requirements), plural, true) : undefined;
  };

  const core: KubeReads['core'] = {
    readNamespacedPodLog: (...args) => apis.core.readNamespacedPodLog(...args),
    listNamespacedEvent: (...args) => apis.core.listNamespacedEvent(...args),
    listNamespacedService: (...args) => apis.core.listNamespacedService(...args),

    async readNamespacedPod(params, options) {
      const found = await answering('', 'pods', params.namespace, 'get', params.name);
      // The cache holds only the pods of clusters: one it lacks may still exist.
      const object = found?.informer.get(found.namespace, params.name);
      record('pods', object ? 'cache' : 'api');
      if (!object) return apis.core.readNamespacedPod(params, options);
      return asModel(object, 'pods', false);
    },

    async listNamespacedPod(params, options) {
      return (await coreList('pods', params)) ?? apis.core.listNamespacedPod(params, options);
    },

    async listNamespacedPersistentVolumeClaim(params, options) {
      return (
        (await coreList('persistentvolumeclaims', params)) ??
        apis.core.listNamespacedPersistentVolumeClaim(params, options)
      );
    },
  };

  return { custom, core, options: apis.options, consistent: apis };
}

/**
 * The watch cache as the Kube clients use it: each caller's reads, and the writes that later reads
 * must see. Impersonated callers are served from the cache only with access reviews to ask.
 */
export class CachedReads implements ReadCache {
  constructor(
    private readonly cache: WatchCache,
    private readonly reviews: AccessReviews | undefined,
    private readonly onRead?: (resource: string, source: ReadSource) => void,
  ) {}

  readsFor(apis: KubeApis, impersonatedAs: string | undefined): KubeReads {
    if (impersonatedAs === undefined) return readThrough(apis, this.deps());
    if (!this.reviews) return apis;
    return readThrough(apis, {
      ...this.deps(),
      access: this.reviews.forCaller(impersonatedAs, apis.options),
    });
  }

  readonly noteWrite: WriteObserver = (kind, namespace, name, verb, result) =>
    this.cache.noteWrite(kind, namespace, name, verb, result);

  private deps(): ReadThroughDeps {
    return { cache: this.cache, ...(this.onRead ? { onRead: this.onRead } : {}) };
  }
}
