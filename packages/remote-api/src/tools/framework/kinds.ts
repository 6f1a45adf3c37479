/**
 * The Kubernetes kinds the tools read or write, and where each lives in the API. One table, so a
 * reference, a write and a fetch always agree on group, version and plural.
 */
export const KINDS = {
  Cluster: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters' },
  Backup: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'backups' },
  ScheduledBackup: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'scheduledbackups' },
  Pooler: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'poolers' },
  Database: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'databases' },
  Publication: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'publications' },
  Subscription: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'subscriptions' },
  DatabaseRole: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'databaseroles' },
  ImageCatalog: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'imagecatalogs' },
  ClusterImageCatalog: {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    plural: 'clusterimagecatalogs',
    clusterScoped: true,
  },
  Secret: { group: '', version: 'v1', plural: 'secrets' },
  Pod: { group: '', version: 'v1', plural: 'pods' },
  PersistentVolumeClaim: { group: '', version: 'v1', plural: 'persistentvolumeclaims' },
  // Served outside the core group, so read and written like custom objects (group/version/plural).
  Job: { group: 'batch', version: 'v1', plural: 'jobs' },
  PodMonitor: { group: 'monitoring.coreos.com', version: 'v1', plural: 'podmonitors' },
  // The Barman Cloud plugin's destination for base backups and WAL.
  ObjectStore: { group: 'barmancloud.cnpg.io', version: 'v1', plural: 'objectstores' },
} as const;

export type Kind = keyof typeof KINDS;

/** Kinds served by the core API group (CoreV1Api) rather than CustomObjectsApi. */
export type CoreKind = 'Secret' | 'Pod' | 'PersistentVolumeClaim';
export type CustomKind = Exclude<Kind, CoreKind>;

export const isCoreKind = (kind: Kind): kind is CoreKind => KINDS[kind].group === '';

/**
 * What cnpg-mcp creates for a cluster and removes with it: the writer gives each of these an
 * owner reference to the Cluster it names, so Kubernetes' garbage collector deletes them with it.
 * Backups are deliberately absent: they may outlive their cluster (and be restored from).
 */
export const DEPENDENT_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  'ScheduledBackup',
  'Pooler',
  'Database',
  'Publication',
  'Subscription',
  'DatabaseRole',
  'Secret',
  'PodMonitor',
]);

/** A Kubernetes object as the framework handles it: metadata plus whatever the kind carries. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    managedFields?: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}
