import { clusterStorageShrink, clusterStorageShrinkStatus, parseQuantity } from '@cnpg-mcp/catalog';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { translateKubeError } from '../../kube/errors.js';
import { requireNamespace } from '../../policy.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import { type ClusterObject, PHASE_HEALTHY } from './model.js';
import { clusterForChange, getCluster, mutation, patchCluster, requireConfirmation } from './ops.js';

/**
 * A guided shrink keeps its state on the Cluster itself, so any replica of the remote API (and
 * any later call) sees where it stands: the target size and the instance count to return to.
 */
const TARGET = 'cnpg-mcp.io/storage-shrink-target';
const ORIGINAL_INSTANCES = 'cnpg-mcp.io/storage-shrink-instances';
const VALIDATION = 'cnpg.io/validation';

type Step = 'start' | 'wait' | 'switchover' | 'destroy' | 'finish' | 'done';

interface Volume {
  instance: string;
  size: string;
  atTarget: boolean;
  primary: boolean;
}

interface Plan {
  inProgress: boolean;
  targetSize: string;
  originalInstances: number;
  step: Step;
  nextStep: string;
  volumes: Volume[];
  /** Instance to promote (switchover) or to destroy (destroy). */
  subject: string;
}

async function dataVolumes(
  ctx: LegacyToolContext,
  namespace: string,
  cluster: ClusterObject,
  target: number | undefined,
): Promise<Volume[]> {
  let pvcs: V1PersistentVolumeClaim[];
  try {
    pvcs = (
      await ctx.kube.core.listNamespacedPersistentVolumeClaim(
        { namespace, labelSelector: `cnpg.io/cluster=${cluster.metadata.name},cnpg.io/pvcRole=PG_DATA` },
        ctx.kube.options,
      )
    ).items;
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
  return pvcs
    .map((pvc) => {
      const size = pvc.spec?.resources?.requests?.storage ?? pvc.status?.capacity?.storage ?? '';
      const instance = pvc.metadata?.labels?.['cnpg.io/instanceName'] ?? pvc.metadata?.name ?? '';
      return {
        instance,
        size,
        atTarget: target !== undefined && (parseQuantity(size) ?? Number.POSITIVE_INFINITY) <= target,
        primary: instance === cluster.status?.currentPrimary,
      };
    })
    .sort((a, b) => a.instance.localeCompare(b.instance));
}

async function planFor(ctx: LegacyToolContext, namespace: string, cluster: ClusterObject): Promise<Plan> {
  const annotations = cluster.metadata.annotations ?? {};
  const targetSize = annotations[TARGET] ?? '';
  const target = targetSize ? parseQuantity(targetSize) : undefined;
  const volumes = await dataVolumes(ctx, namespace, cluster, target);
  const originalInstances = Number(annotations[ORIGINAL_INSTANCES] ?? 0);
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
      nextStep: `every volume is at ${targetSize}: scale back to ${originalInstances} instance(s) and re-enable validation`,
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
  const subject = oversized[oversized.length - 1]!.instance;
  return {
    ...base,
    subject,
    step: 'destroy',
    nextStep: `destroy replica ${subject} (volume ${oversized.at(-1)!.size}); the operator recreates it at ${targetSize}`,
  };
}

const statusFields = (plan: Plan) => ({
  inProgress: plan.inProgress,
  targetSize: plan.targetSize,
  originalInstances: plan.originalInstances,
  step: plan.step,
  nextStep: plan.nextStep,
  volumes: plan.volumes,
});

export const clusterStorageShrinkStatusTool = implement(clusterStorageShrinkStatus, async (args, ctx) => {
  const namespace = args.namespace ?? ctx.config.defaultNamespace;
  requireNamespace(ctx.access, namespace);
  const cluster = await getCluster(ctx, namespace, args.name);
  const plan = await planFor(ctx, namespace, cluster);
  const text = [
    plan.inProgress
      ? `Shrinking ${namespace}/${args.name} to ${plan.targetSize} (back to ${plan.originalInstances} instance(s) at the end).`
      : `No storage shrink in progress for ${namespace}/${args.name}.`,
    ...plan.volumes.map(
      (v) =>
        `  ${v.instance}${v.primary ? ' (primary)' : ''}: ${v.size}${plan.inProgress ? (v.atTarget ? ' ✓' : ' → to recreate') : ''}`,
    ),
    `Next: ${plan.nextStep}`,
  ].join('\n');
  return { structured: { namespace, name: args.name, ...statusFields(plan) }, text };
});

export const clusterStorageShrinkTool = implement(clusterStorageShrink, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'cluster name');
  const { namespace, cluster } = await clusterForChange(ctx, args);
  const plan = await planFor(ctx, namespace, cluster);
  if (plan.inProgress && plan.targetSize !== args.storage_size) {
    throw new ToolFailure(
      'precondition',
      `a shrink to ${plan.targetSize} is in progress; finish it first (storage_size ${plan.targetSize})`,
    );
  }
  let performed = '';
  let object: ClusterObject | undefined;
  switch (plan.step) {
    case 'start': {
      const current = cluster.spec?.storage?.size ?? '';
      if ((parseQuantity(args.storage_size) ?? 0) >= (parseQuantity(current) ?? 0)) {
        throw new ToolFailure(
          'invalid_input',
          `storage_size: ${args.storage_size} is not smaller than the current ${current}; use cluster_storage_grow`,
        );
      }
      const instances = cluster.spec?.instances ?? 1;
      object = await patchCluster(
        ctx,
        namespace,
        args.name,
        {
          metadata: {
            annotations: {
              [TARGET]: args.storage_size,
              [ORIGINAL_INSTANCES]: String(instances),
              [VALIDATION]: 'disabled',
            },
          },
          spec: { storage: { size: args.storage_size }, instances: instances + 1 },
        },
        args.dry_run,
      );
      performed = `started: new volumes are ${args.storage_size}; added instance ${instances + 1} at that size`;
      break;
    }
    case 'wait':
      performed = 'nothing yet (waiting)';
      break;
    case 'switchover': {
      const fresh = await getCluster(ctx, namespace, args.name);
      object = await patchCluster(
        ctx,
        namespace,
        args.name,
        {
          metadata: { resourceVersion: fresh.metadata.resourceVersion },
          status: {
            targetPrimary: plan.subject,
            targetPrimaryTimestamp: new Date().toISOString().replace('Z', '000Z'),
            phase: 'Switchover in progress',
            phaseReason: `Switching over to ${plan.subject}`,
          },
        },
        args.dry_run,
        'status',
      );
      performed = `switchover to ${plan.subject} requested`;
      break;
    }
    case 'destroy': {
      const dryRun = args.dry_run ? { dryRun: 'All' } : {};
      try {
        const pvcs = await ctx.kube.core.listNamespacedPersistentVolumeClaim(
          { namespace, labelSelector: `cnpg.io/cluster=${args.name},cnpg.io/instanceName=${plan.subject}` },
          ctx.kube.options,
        );
        for (const pvc of pvcs.items) {
          await ctx.kube.core.deleteNamespacedPersistentVolumeClaim(
            { namespace, name: pvc.metadata?.name ?? '', ...dryRun },
            ctx.kube.options,
          );
        }
        await ctx.kube.core
          .deleteNamespacedPod({ namespace, name: plan.subject, ...dryRun }, ctx.kube.options)
          .catch((error: unknown) => {
            if (translateKubeError(error)?.kind !== 'not_found') throw error;
          });
      } catch (error) {
        throw translateKubeError(error) ?? error;
      }
      performed = `destroyed ${plan.subject} and its volumes; the operator recreates it at ${plan.targetSize}`;
      break;
    }
    case 'finish':
      object = await patchCluster(
        ctx,
        namespace,
        args.name,
        {
          metadata: { annotations: { [TARGET]: null, [ORIGINAL_INSTANCES]: null, [VALIDATION]: null } },
          spec: { instances: plan.originalInstances },
        },
        args.dry_run,
      );
      performed = `finished: scaled back to ${plan.originalInstances} instance(s), validation re-enabled`;
      break;
  }
  const after = args.dry_run
    ? plan
    : await planFor(ctx, namespace, await getCluster(ctx, namespace, args.name));
  const finished = !args.dry_run && plan.step === 'finish';
  const next = finished
    ? { ...after, step: 'done' as const, nextStep: 'nothing: the shrink is complete' }
    : after;
  const message = `storage shrink of ${namespace}/${args.name}: ${performed}`;
  return {
    structured: {
      ...mutation(namespace, args.name, `shrink-${plan.step}`, args.dry_run, message, object),
      ...statusFields(next),
      performed,
    },
    text: `${args.dry_run ? 'Dry run: ' : ''}${message}\nNext: ${next.nextStep}`,
  };
});
