import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { ToolFailure } from '../context.js';
import { KINDS, type KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';

/** A CNPG custom object as the tools read it: the framework's KubeObject. */
export type CnpgObject = KubeObject;

export type CnpgPlural =
  | 'backups'
  | 'scheduledbackups'
  | 'poolers'
  | 'databases'
  | 'publications'
  | 'subscriptions'
  | 'databaseroles'
  | 'clusters';

/** The kind a plural names, from the one table of kinds. */
const kindOf = (plural: CnpgPlural): string =>
  Object.entries(KINDS).find(([, where]) => where.plural === plural)?.[0] ?? plural;

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
        `${kindOf(plural)} "${name}" not found in namespace "${namespace}"; ${hint}`,
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
