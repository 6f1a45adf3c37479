/** The parts of a CNPG Cluster (postgresql.cnpg.io/v1) the tools read. */
import type { KubeObject } from '../framework/kinds.js';
import type { Intent, Observed, ReferenceSpec } from '../framework/references.js';

export interface StorageSpec {
  size?: string;
  storageClass?: string;
}

export interface ClusterCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ClusterObject extends KubeObject {
  spec?: {
    instances?: number;
    imageName?: string;
    imageCatalogRef?: { kind?: string; name?: string; major?: number };
    storage?: StorageSpec;
    walStorage?: StorageSpec;
    postgresql?: { parameters?: Record<string, string> };
    nodeMaintenanceWindow?: { inProgress?: boolean; reusePVC?: boolean };
    [key: string]: unknown;
  };
  status?: {
    phase?: string;
    phaseReason?: string;
    instances?: number;
    readyInstances?: number;
    currentPrimary?: string;
    targetPrimary?: string;
    timelineID?: number;
    image?: string;
    instanceNames?: string[];
    instancesStatus?: Record<string, string[]>;
    pgDataImageInfo?: { image?: string; majorVersion?: number };
    conditions?: ClusterCondition[];
    certificates?: { expirations?: Record<string, string> };
    lastSuccessfulBackup?: string;
    firstRecoverabilityPoint?: string;
    [key: string]: unknown;
  };
}

export const CLUSTERS = 'clusters';

/** The cluster the call names with its `name` argument, declared with `intent`. */
export function namedCluster<Args extends { name: string }>(intent: Intent): ReferenceSpec<Args> {
  return {
    kind: 'Cluster',
    intent,
    role: 'cluster',
    name: (args) => args.name,
    hint: 'cluster_list shows what exists',
  };
}

/**
 * The Service names a cluster uses (`-rw`, `-ro`, `-r`) and its own name (its ServiceAccount, Role
 * and Lease): a Pooler's Services and Deployment are named after the Pooler, so a Pooler with one
 * of these names would take the cluster's place.
 */
export function namesOfCluster(name: string): string[] {
  return [name, `${name}-rw`, `${name}-ro`, `${name}-r`];
}

/** A declared Cluster reference as the framework read it (it fails the call before `run` when absent). */
export function seenCluster(seen: Observed, key = 'cluster'): ClusterObject {
  const object: KubeObject | undefined = seen[key];
  if (!object) throw new Error(`the declared reference "${key}" was not read`);
  return object as ClusterObject;
}
export const PHASE_HEALTHY = 'Cluster in healthy state';
export const HIBERNATION_ANNOTATION = 'cnpg.io/hibernation';
export const FENCED_ANNOTATION = 'cnpg.io/fencedInstances';

/** The fenced instances a Cluster's annotation lists (an unreadable annotation lists none). */
export function fencedInstances(cluster: ClusterObject): string[] {
  try {
    const parsed = JSON.parse(cluster.metadata.annotations?.[FENCED_ANNOTATION] ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export const DEFAULT_IMAGE_REPOSITORY = 'ghcr.io/cloudnative-pg/postgresql';

/** Major version from an image tag such as "…/postgresql:17.2-standard-trixie" or ":16". */
export function majorFromImage(image: string | undefined): number | undefined {
  const match = /:(\d+)(?:[.-]|$)/.exec(image ?? '');
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * The image for a major: CloudNativePG's `standard` flavour on Debian trixie for a new cluster.
 * The `system` flavour (still CNPG's default image) is deprecated and goes with in-core Barman
 * Cloud; `standard` adds the common extensions to `minimal` (docs/src/index.md). An image of the
 * same repository the cluster runs (`current`) keeps its flavour and distribution, so an upgrade
 * changes the major only (a system image's in-core Barman Cloud backups keep working).
 */
export function imageForMajor(major: number, current?: string): string {
  const prefix = `${DEFAULT_IMAGE_REPOSITORY}:`;
  const flavour = current?.startsWith(prefix)
    ? /^\d+(?:\.\d+)*-([a-z0-9.-]+)$/.exec(current.slice(prefix.length))?.[1]
    : undefined;
  return `${prefix}${major}-${flavour ?? 'standard-trixie'}`;
}

/** Age like kubectl prints it: 45s, 12m, 5h, 3d. */
export function formatAge(createdAt: string | undefined, now = Date.now()): string {
  if (!createdAt) return '';
  const seconds = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}
