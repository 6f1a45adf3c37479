/**
 * The guided storage shrink: its state (kept on the Cluster itself, so any replica of the remote
 * API and any later call sees where it stands), and the pure decision of the next step from the
 * cluster and its volumes. Used by cluster_storage_shrink and cluster_storage_shrink_status.
 */
import { parseQuantity } from '@cnpg-mcp/catalog';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { translateKubeError } from '../../kube/errors.js';
import type { KubeReads } from '../framework/kube-reads.js';
import { type ClusterObject, PHASE_HEALTHY } from './model.js';

export const SHRINK_TARGET = 'cnpg-mcp.io/storage-shrink-target';
export const SHRINK_ORIGINAL_INSTANCES = 'cnpg-mcp.io/storage-shrink-instances';

export type Step = 'start' | 'wait' | 'switchover' | 'destroy' | 'finish' | 'done';

/** One of the cluster's volumes, as the operator labels it. */
export interface ClusterVolume {
  name: string;
  instance: string;
  /** PG_DATA, PG_WAL, PG_TABLESPACE. */
  role: string;
  size: string;
}

export interface Volume {
  instance: string;
  size: string;
  atTarget: boolean;
  primary: boolean;
}

export interface ShrinkPlan {
  inProgress: boolean;
  targetSize: string;
  originalInstances: number;
  step: Step;
  nextStep: string;
  /** The data volumes, one per instance. */
  volumes: Volume[];
  /** Instance to promote (switchover) or to destroy (destroy). */
  subject: string;
}

/** Every volume of the cluster (data, WAL, tablespaces), read as the caller. */
export async function readClusterVolumes(
  kube: KubeReads,
  namespace: string,
  cluster: string,
): Promise<ClusterVolume[]> {
  let pvcs: V1PersistentVolumeClaim[];
  try {
    pvcs = (
      await kube.core.listNamespacedPersistentVolumeClaim(
        { namespace, labelSelector: `cnpg.io/cluster=${cluster}` },
        kube.options,
      )
    ).items;
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
  return pvcs.map((pvc) => ({
    name: pvc.metadata?.name ?? '',
    instance: pvc.metadata?.labels?.['cnpg.io/instanceName'] ?? pvc.metadata?.name ?? '',
    role: pvc.metadata?.labels?.['cnpg.io/pvcRole'] ?? '',
    size: pvc.spec?.resources?.requests?.storage ?? pvc.status?.capacity?.storage ?? '',
  }));
}

/** The next step of the shrink recorded on `cluster` (or 'start' when none is), from its volumes. */
export function planShrink(cluster: ClusterObject, all: readonly ClusterVolume[]): ShrinkPlan {
  const annotations = cluster.metadata.annotations ?? {};
  const targetSize = annotations[SHRINK_TARGET] ?? '';
  const target = targetSize ? parseQuantity(targetSize) : undefined;
  const volumes = all
    .filter((v) => v.role === 'PG_DATA')
    .map((v) => ({
      instance: v.instance,
      size: v.size,
      atTarget: target !== undefined && (parseQuantity(v.size) ?? Number.POSITIVE_INFINITY) <= target,
      primary: v.instance === cluster.status?.currentPrimary,
    }))
    .sort((a, b) => a.instance.localeCompare(b.instance));
  const originalInstances = Number(annotations[SHRINK_ORIGINAL_INSTANCES] ?? 0);
  const base = { inProgress: targetSize !== '', targetSize, originalInstances, volumes, subject: '' };
  if (!targetSize) {
    return {
      ...base,
      step: 'start',
      nextStep: 'no shrink in progress; cluster_storage_shrink with a smaller storage_size starts one',
    };
  }
  const status = cluster.status ?? {};
  const wanted = cluster.spec?.instances ?? 0;
  if (status.phase !== PHASE_HEALTHY || (status.readyInstances ?? 0) < wanted || volumes.length < wanted) {
    return {
      ...base,
      step: 'wait',
      nextStep: `wait until the cluster is healthy with ${wanted} ready instances ("${status.phase ?? 'pending'}"), then call again`,
    };
  }
  const oversized = volumes.filter((v) => !v.atTarget);
  if (oversized.length === 0) {
    return {
      ...base,
      step: 'finish',
      nextStep: `every volume is at ${targetSize}: scale back to ${originalInstances} instance(s)`,
    };
  }
  if (oversized.some((v) => v.primary)) {
    const subject =
      volumes.find((v) => v.atTarget && !v.primary && status.instancesStatus?.healthy?.includes(v.instance))
        ?.instance ?? '';
    if (!subject)
      return {
        ...base,
        step: 'wait',
        nextStep: 'wait for a healthy instance at the target size to switch over to',
      };
    return {
      ...base,
      subject,
      step: 'switchover',
      nextStep: `switch over from ${status.currentPrimary} to ${subject}, which is at ${targetSize}`,
    };
  }
  const last = oversized[oversized.length - 1]!;
  return {
    ...base,
    subject: last.instance,
    step: 'destroy',
    nextStep: `destroy replica ${last.instance} (volume ${last.size}); the operator recreates it at ${targetSize}`,
  };
}

/** The fields cluster_storage_shrink and cluster_storage_shrink_status report. */
export const shrinkStatusFields = (plan: ShrinkPlan) => ({
  inProgress: plan.inProgress,
  targetSize: plan.targetSize,
  originalInstances: plan.originalInstances,
  step: plan.step,
  nextStep: plan.nextStep,
  volumes: plan.volumes,
});
