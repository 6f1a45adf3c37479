/**
 * The watch cache: one informer per resource the tools read, per namespace the service may touch
 * (or one across all namespaces when it may touch any). It lists and watches as the remote API's
 * service account; who may read what is decided per read (read-through.ts).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { KubeApis } from '../kube/client.js';
import type { Logger } from '../log.js';
import { KINDS, type Kind, type KubeObject } from '../tools/framework/kinds.js';
import { Informer, type ListedObjects, type WatchedResource } from './informer.js';

/** The label CloudNativePG puts on the pods and PVCs of a cluster. */
export const CLUSTER_LABEL = 'cnpg.io/cluster';

/** CloudNativePG kinds read only by name, now and then (cluster_create, image upgrades, restores): not watched. */
const NOT_WATCHED = new Set<Kind>(['ImageCatalog', 'ClusterImageCatalog']);

/**
 * What is watched: the CloudNativePG kinds the tools list and read, and the pods and PVCs of
 * clusters. Not Secrets (credentials stay in the API server, and every read of one is checked
 * there), image catalogs, nor other groups' objects the tools read now and then (Jobs, the
 * Barman Cloud plugin's ObjectStores): those reads go to the API server, and the shipped RBAC
 * lets the service account read them by name only.
 */
export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  ...(Object.entries(KINDS) as [Kind, (typeof KINDS)[Kind]][])
    .filter(([kind, where]) => where.group === 'postgresql.cnpg.io' && !NOT_WATCHED.has(kind))
    .map(([kind, where]) => ({
      kind,
      group: where.group,
      version: where.version,
      plural: where.plural,
      ...('clusterScoped' in where ? { clusterScoped: true } : {}),
    })),
  { kind: 'Pod', group: '', version: 'v1', plural: 'pods', requiredLabel: CLUSTER_LABEL },
  {
    kind: 'PersistentVolumeClaim',
    group: '',
    version: 'v1',
    plural: 'persistentvolumeclaims',
    requiredLabel: CLUSTER_LABEL,
  },
];

/** client-node's model names for the core kinds (lists come back as model objects, watches as JSON). */
const CORE_MODELS: Record<string, string> = {
  pods: 'V1Pod',
  persistentvolumeclaims: 'V1PersistentVolumeClaim',
};

export const coreModelOf = (plural: string): string | undefined => CORE_MODELS[plural];

export type WriteVerb = 'create' | 'patch' | 'delete';

export interface WatchCacheOptions {
  kubeConfig: KubeConfig;
  /** The remote API's own clients (its service account). */
  apis: Pick<KubeApis, 'custom' | 'core'>;
  /** ['*'], or the namespaces the service may touch. */
  namespaces: readonly string[];
  log: Logger;
  watchTimeoutSeconds?: number;
}

export class WatchCache {
  private readonly informers: Informer[] = [];

  constructor(private readonly options: WatchCacheOptions) {
    const everywhere = options.namespaces.includes('*');
    const deps = {
      kubeConfig: options.kubeConfig,
      list: (resource: WatchedResource, namespace: string | undefined) => this.list(resource, namespace),
      log: options.log,
      ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
    };
    for (const resource of WATCHED_RESOURCES) {
      if (resource.clusterScoped || everywhere) this.informers.push(new Informer(resource, undefined, deps));
      else
        for (const namespace of options.namespaces)
          this.informers.push(new Informer(resource, namespace, deps));
    }
  }

  start(): void {
    for (const informer of this.informers) informer.start();
  }

  stop(): void {
    for (const informer of this.informers) informer.stop();
  }

  /** Resolves when every informer has listed once (or failed to), or after `timeoutMs`. */
  async initialSync(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.informers.map((informer) => informer.settled())),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Readiness: every resource synced (or not served by this API server). */
  ready(): { ok: boolean; detail: string } {
    const behind = this.informers
      .map((informer) => ({ informer, ...informer.status() }))
      .filter(({ state }) => state !== 'synced' && state !== 'absent');
    if (behind.length === 0) return { ok: true, detail: `${this.informers.length} informers synced` };
    const shown = behind
      .slice(0, 5)
      .map(
        ({ informer, state, reason }) =>
          `${informer.resource.plural}${informer.namespace ? ` in ${informer.namespace}` : ''}: ${state} (${reason.slice(0, 120)})`,
      );
    return {
      ok: false,
      detail: `not synced: ${shown.join('; ')}${behind.length > 5 ? `; and ${behind.length - 5} more` : ''}`,
    };
  }

  /** The watched resource with this group and plural, if any. */
  resource(group: string, plural: string): WatchedResource | undefined {
    return WATCHED_RESOURCES.find((resource) => resource.group === group && resource.plural === plural);
  }

  /**
   * The informer holding `resource` in `namespace` (undefined: across all namespaces, which only an
   * informer of every namespace holds).
   */
  informerFor(resource: WatchedResource, namespace: string | undefined): Informer | undefined {
    return (
      this.informers.find((informer) => informer.resource === resource && informer.namespace === undefined) ??
      (namespace === undefined
        ? undefined
        : this.informers.find(
            (informer) => informer.resource === resource && informer.namespace === namespace,
          ))
    );
  }

  /** A write this process made: reads of that resource wait until the cache has seen it. */
  noteWrite(kind: Kind, namespace: string, name: string, verb: WriteVerb, result: unknown): void {
    const { group, plural } = KINDS[kind];
    const resource = this.resource(group, plural);
    if (!resource) return;
    const informer = this.informerFor(resource, resource.clusterScoped ? undefined : namespace);
    if (!informer) return;
    const metadata = (result as Partial<KubeObject> | undefined)?.metadata;
    const where = resource.clusterScoped ? undefined : namespace;
    if (verb === 'delete' && metadata?.deletionTimestamp === undefined) {
      informer.expectGone(where, name, metadata?.uid);
    } else if (metadata?.resourceVersion) {
      informer.expectVersion(metadata.resourceVersion);
    } else {
      informer.expectGone(where, name, undefined);
    }
  }

  /** Objects held, for the memory measurement. */
  objectCount(): number {
    let count = 0;
    for (const informer of this.informers) count += informer.list().length;
    return count;
  }

  /** Lists a resource as the service account, as the JSON a watch sends (apiVersion and kind set). */
  private async list(resource: WatchedResource, namespace: string | undefined): Promise<ListedObjects> {
    const { custom, core } = this.options.apis;
    const labelSelector = resource.requiredLabel;
    const selector = labelSelector ? { labelSelector } : {};
    const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
    let listed: { metadata?: { resourceVersion?: string }; items?: unknown[] };
    const model = coreModelOf(resource.plural);
    if (model === 'V1Pod') {
      listed = namespace
        ? await core.listNamespacedPod({ namespace, ...selector })
        : await core.listPodForAllNamespaces(selector);
    } else if (model === 'V1PersistentVolumeClaim') {
      listed = namespace
        ? await core.listNamespacedPersistentVolumeClaim({ namespace, ...selector })
        : await core.listPersistentVolumeClaimForAllNamespaces(selector);
    } else {
      const where = {
        group: resource.group,
        version: resource.version,
        plural: resource.plural,
        ...selector,
      };
      listed = (
        namespace
          ? await custom.listNamespacedCustomObject({ ...where, namespace })
          : await custom.listClusterCustomObject(where)
      ) as typeof listed;
    }
    const items = (listed.items ?? []).map((item) => {
      const json = (model ? ObjectSerializer.serialize(item, model, '') : item) as KubeObject;
      return { ...json, apiVersion, kind: resource.kind };
    });
    return { items, resourceVersion: listed.metadata?.resourceVersion ?? '' };
  }
}
