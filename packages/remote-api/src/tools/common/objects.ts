import { ownerMetadata } from '../../identity.js';
import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { type LegacyToolContext, ToolFailure } from '../context.js';
import type { KubeReads } from '../framework/kube-reads.js';

/** A CNPG custom object as the tools read it: metadata plus free-form spec and status. */
export interface CnpgObject {
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
    finalizers?: string[];
    managedFields?: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export type CnpgPlural =
  | 'backups'
  | 'scheduledbackups'
  | 'poolers'
  | 'databases'
  | 'publications'
  | 'subscriptions'
  | 'databaseroles'
  | 'clusters';

const KINDS: Record<CnpgPlural, string> = {
  backups: 'Backup',
  scheduledbackups: 'ScheduledBackup',
  poolers: 'Pooler',
  databases: 'Database',
  publications: 'Publication',
  subscriptions: 'Subscription',
  databaseroles: 'DatabaseRole',
  clusters: 'Cluster',
};

export const dryRunParam = (dryRun: boolean) => (dryRun ? { dryRun: 'All' } : {});

/** Runs a Kubernetes call, turning API failures into translated errors. */
export async function kubeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
}

export async function getObject(
  ctx: { kube: KubeReads },
  plural: CnpgPlural,
  namespace: string,
  name: string,
  hint: string,
): Promise<CnpgObject> {
  try {
    return (await ctx.kube.custom.getNamespacedCustomObject(
      { ...CNPG, namespace, plural, name },
      ctx.kube.options,
    )) as CnpgObject;
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') {
      throw new ToolFailure(
        'not_found',
        `${KINDS[plural]} "${name}" not found in namespace "${namespace}"; ${hint}`,
      );
    }
    throw translated ?? error;
  }
}

export async function listObjects(
  ctx: { kube: KubeReads },
  plural: CnpgPlural,
  namespace: string,
  labelSelector?: string,
): Promise<CnpgObject[]> {
  const result = await kubeCall(
    () =>
      ctx.kube.custom.listNamespacedCustomObject(
        { ...CNPG, namespace, plural, ...(labelSelector ? { labelSelector } : {}) },
        ctx.kube.options,
      ) as Promise<{ items?: CnpgObject[] }>,
  );
  return result.items ?? [];
}

/** Creates a CNPG object carrying the caller's owner label and annotations. */
export async function createObject(
  ctx: LegacyToolContext,
  plural: CnpgPlural,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  dryRun: boolean,
  labels: Record<string, string> = {},
): Promise<CnpgObject> {
  const owner = ownerMetadata(ctx.identity);
  const body = {
    apiVersion: `${CNPG.group}/${CNPG.version}`,
    kind: KINDS[plural],
    metadata: { name, namespace, labels: { ...labels, ...owner.labels }, annotations: owner.annotations },
    spec,
  };
  return kubeCall(
    () =>
      ctx.kube.custom.createNamespacedCustomObject(
        { ...CNPG, namespace, plural, body, fieldManager: 'cnpg-mcp', ...dryRunParam(dryRun) },
        ctx.kube.options,
      ) as Promise<CnpgObject>,
  );
}

/** A focused JSON merge patch; include metadata.resourceVersion in the body to make it conditional. */
export async function patchObject(
  ctx: LegacyToolContext,
  plural: CnpgPlural,
  namespace: string,
  name: string,
  body: Record<string, unknown>,
  dryRun: boolean,
): Promise<CnpgObject> {
  return kubeCall(
    () =>
      ctx.kube.custom.patchNamespacedCustomObject(
        { ...CNPG, namespace, plural, name, body, fieldManager: 'cnpg-mcp', ...dryRunParam(dryRun) },
        ctx.kube.mergePatch,
      ) as Promise<CnpgObject>,
  );
}

/** Deletes an object; returns it when the server answers with the object (finalizers pending). */
export async function deleteObject(
  ctx: LegacyToolContext,
  plural: CnpgPlural,
  namespace: string,
  name: string,
  dryRun: boolean,
): Promise<CnpgObject | undefined> {
  const result = await kubeCall(() =>
    ctx.kube.custom.deleteNamespacedCustomObject(
      { ...CNPG, namespace, plural, name, propagationPolicy: 'Background', ...dryRunParam(dryRun) },
      ctx.kube.options,
    ),
  );
  return result && typeof result === 'object' && 'metadata' in result && 'spec' in result
    ? (result as CnpgObject)
    : undefined;
}

/** The cluster a CNPG object refers to (spec.cluster.name). */
export const clusterOf = (object: CnpgObject): string =>
  String((object.spec?.cluster as { name?: unknown } | undefined)?.name ?? '');

/** A DNS-1123 object name derived from a cluster and a PostgreSQL name (underscores become dashes). */
export function derivedName(cluster: string, pgName: string): string {
  const name = `${cluster}-${pgName.replace(/_/g, '-')}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name;
}

export const say = (dryRun: boolean, message: string) =>
  dryRun ? `Dry run (nothing written): ${message}` : message;

export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
export const bool = (value: unknown, fallback = false): boolean =>
  typeof value === 'boolean' ? value : fallback;
export const num = (value: unknown, fallback: number): number =>
  typeof value === 'number' ? value : fallback;
export const appliedOf = (status: Record<string, unknown> | undefined): boolean | null =>
  typeof status?.applied === 'boolean' ? status.applied : null;
