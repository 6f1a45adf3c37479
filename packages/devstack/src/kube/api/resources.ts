/** The resource types the emulator serves, as discovery describes them. */
export type Subresource = 'status' | 'scale' | 'log' | 'proxy';

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Custom resources: PUT needs resourceVersion, strategic-merge patches get 415. */
  custom: boolean;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources: readonly Subresource[];
  /** Scale subresource mapping (spec/status replicas paths, optional selector path in status). */
  scale?: { specReplicas: string[]; statusReplicas: string[]; statusSelector?: string[] };
  /** Only create is served (access reviews). */
  createOnly?: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const CNPG = 'postgresql.cnpg.io';

function core(plural: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group: '',
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    custom: false,
    verbs: CRUD,
    subresources: [],
    ...extra,
  };
}

function cnpg(plural: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group: CNPG,
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    custom: true,
    verbs: CRUD,
    subresources: ['status'],
    ...extra,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  core('namespaces', 'Namespace', { namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  core('secrets', 'Secret'),
  core('configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  core('services', 'Service', { shortNames: ['svc'], subresources: ['status'], categories: ['all'] }),
  core('pods', 'Pod', { shortNames: ['po'], subresources: ['status', 'log', 'proxy'], categories: ['all'] }),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', { shortNames: ['pvc'], subresources: ['status'] }),
  core('events', 'Event', { shortNames: ['ev'] }),
  core('serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
  core('endpoints', 'Endpoints', { shortNames: ['ep'] }),
  {
    ...core('deployments', 'Deployment', { shortNames: ['deploy'], categories: ['all'] }),
    group: 'apps',
    subresources: ['status', 'scale'],
    scale: { specReplicas: ['spec', 'replicas'], statusReplicas: ['status', 'replicas'] },
  },
  { ...core('jobs', 'Job', { categories: ['all'] }), group: 'batch', subresources: ['status'] },
  {
    ...core('poddisruptionbudgets', 'PodDisruptionBudget', { shortNames: ['pdb'] }),
    group: 'policy',
    subresources: ['status'],
  },
  { ...core('leases', 'Lease'), group: 'coordination.k8s.io' },
  { ...core('roles', 'Role'), group: 'rbac.authorization.k8s.io' },
  { ...core('rolebindings', 'RoleBinding'), group: 'rbac.authorization.k8s.io' },
  {
    ...core('selfsubjectaccessreviews', 'SelfSubjectAccessReview', { namespaced: false }),
    group: 'authorization.k8s.io',
    verbs: ['create'],
    createOnly: true,
  },
  {
    ...core('subjectaccessreviews', 'SubjectAccessReview', { namespaced: false }),
    group: 'authorization.k8s.io',
    verbs: ['create'],
    createOnly: true,
  },
  {
    ...core('localsubjectaccessreviews', 'LocalSubjectAccessReview'),
    group: 'authorization.k8s.io',
    verbs: ['create'],
    createOnly: true,
  },
  {
    ...core('selfsubjectrulesreviews', 'SelfSubjectRulesReview', { namespaced: false }),
    group: 'authorization.k8s.io',
    verbs: ['create'],
    createOnly: true,
  },
  // The CSI external-snapshotter's CRD, which CNPG's volumeSnapshot backups and restores need.
  {
    ...core('volumesnapshots', 'VolumeSnapshot', { shortNames: ['vs'] }),
    group: 'snapshot.storage.k8s.io',
    custom: true,
    subresources: ['status'],
  },
  // The Prometheus Operator's CRD (assumed installed): CNPG 1.30 deprecates
  // spec.monitoring.enablePodMonitor for a PodMonitor people create themselves.
  {
    ...core('podmonitors', 'PodMonitor', { shortNames: ['pmon'] }),
    group: 'monitoring.coreos.com',
    custom: true,
  },
  // The Barman Cloud plugin's CRD (installed with the plugin): where a cluster's backups and WAL go.
  {
    ...core('objectstores', 'ObjectStore'),
    group: 'barmancloud.cnpg.io',
    custom: true,
    subresources: ['status'],
  },
  {
    ...core('customresourcedefinitions', 'CustomResourceDefinition', {
      namespaced: false,
      shortNames: ['crd', 'crds'],
    }),
    group: 'apiextensions.k8s.io',
    verbs: ['get', 'list', 'watch'],
    subresources: ['status'],
  },
  cnpg('clusters', 'Cluster', {
    subresources: ['status', 'scale'],
    scale: {
      specReplicas: ['spec', 'instances'],
      statusReplicas: ['status', 'instances'],
      statusSelector: ['status', 'selector'],
    },
  }),
  cnpg('backups', 'Backup'),
  cnpg('scheduledbackups', 'ScheduledBackup'),
  cnpg('poolers', 'Pooler', {
    subresources: ['status', 'scale'],
    scale: { specReplicas: ['spec', 'instances'], statusReplicas: ['status', 'instances'] },
  }),
  cnpg('databases', 'Database'),
  cnpg('publications', 'Publication'),
  cnpg('subscriptions', 'Subscription'),
  cnpg('databaseroles', 'DatabaseRole'),
  cnpg('failoverquorums', 'FailoverQuorum'),
  cnpg('imagecatalogs', 'ImageCatalog', { subresources: [] }),
  cnpg('clusterimagecatalogs', 'ClusterImageCatalog', { subresources: [], namespaced: false }),
];

export function apiVersionOf(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** "clusters.postgresql.cnpg.io" or "pods": the GroupResource string used in error messages. */
export function groupResource(rt: Pick<ResourceType, 'group' | 'plural'>): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

/** "Cluster.postgresql.cnpg.io" or "Pod": the GroupKind string used in Invalid errors. */
export function groupKind(rt: Pick<ResourceType, 'group' | 'kind'>): string {
  return rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
}

export function resourceKey(rt: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${rt.group}/${rt.plural}`;
}

export class ResourceCatalog {
  private readonly byKey = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor(types: readonly ResourceType[] = RESOURCE_TYPES) {
    for (const rt of types) {
      this.byKey.set(`${apiVersionOf(rt)}/${rt.plural}`, rt);
      this.byKind.set(`${apiVersionOf(rt)}/${rt.kind}`, rt);
    }
  }

  all(): ResourceType[] {
    return [...this.byKey.values()];
  }

  find(apiVersion: string, plural: string): ResourceType | undefined {
    return this.byKey.get(`${apiVersion}/${plural}`);
  }

  servesKind(apiVersion: string, kind: string): boolean {
    return this.byKind.has(`${apiVersion}/${kind}`);
  }

  /** Looks a type up by apiVersion and kind; throws for types the emulator does not serve. */
  byApiVersionKind(apiVersion: string, kind: string): ResourceType {
    const rt = this.byKind.get(`${apiVersion}/${kind}`);
    if (!rt) throw new Error(`the emulator does not serve ${apiVersion} ${kind}`);
    return rt;
  }

  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const rt of this.byKey.values())
      seen.set(apiVersionOf(rt), { group: rt.group, version: rt.version });
    return [...seen.values()];
  }
}
