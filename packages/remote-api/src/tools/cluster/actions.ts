import {
  clusterFence,
  clusterHibernate,
  clusterInstanceDestroy,
  clusterReload,
  clusterRestart,
  clusterResume,
  clusterSwitchover,
  clusterUnfence,
} from '@cnpg-mcp/catalog';
import type { V1Pod } from '@kubernetes/client-node';
import { translateKubeError } from '../../kube/errors.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import { type ClusterObject, FENCED_ANNOTATION, HIBERNATION_ANNOTATION, PHASE_HEALTHY } from './model.js';
import {
  clusterForChange,
  getCluster,
  mutation,
  patchCluster,
  requireConfirmation,
  retryOnConflict,
} from './ops.js';

const dryRunParam = (dryRun: boolean) => (dryRun ? { dryRun: 'All' } : {});
const say = (dryRun: boolean, message: string) => (dryRun ? `Dry run: ${message}` : message);

/** An instance belongs to a cluster when it is named `<cluster>-<serial>` and known to the cluster or a pod. */
async function instancePod(
  ctx: LegacyToolContext,
  namespace: string,
  cluster: ClusterObject,
  instance: string,
): Promise<V1Pod | undefined> {
  const name = cluster.metadata.name;
  if (!new RegExp(`^${name}-[0-9]+$`).test(instance)) {
    throw new ToolFailure(
      'invalid_input',
      `instance: "${instance}" is not an instance of cluster ${name} (expected ${name}-N)`,
    );
  }
  let pod: V1Pod | undefined;
  try {
    pod = await ctx.kube.core.readNamespacedPod({ namespace, name: instance }, ctx.kube.options);
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind !== 'not_found') throw translated ?? error;
  }
  const known = cluster.status?.instanceNames?.includes(instance) ?? false;
  if (!pod && !known) {
    throw new ToolFailure('not_found', `instance "${instance}" not found in cluster ${namespace}/${name}`);
  }
  return pod;
}

const isReady = (pod: V1Pod | undefined) =>
  pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export const clusterRestartTool = implement(clusterRestart, async (args, ctx) => {
  const { namespace, cluster } = await clusterForChange(ctx, args);
  if (!args.instance) {
    const patched = await patchCluster(
      ctx,
      namespace,
      args.name,
      { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } },
      args.dry_run,
    );
    const message = `rolling restart of ${namespace}/${args.name} requested (replicas first, then the primary)`;
    return {
      structured: mutation(namespace, args.name, 'restart-requested', args.dry_run, message, patched),
      text: say(args.dry_run, message),
    };
  }
  await instancePod(ctx, namespace, cluster, args.instance);
  if (args.instance === cluster.status?.currentPrimary) {
    const patched = await patchCluster(
      ctx,
      namespace,
      args.name,
      {
        status: {
          phase: 'Primary instance is being restarted in-place',
          phaseReason: 'Requested by the user',
        },
      },
      args.dry_run,
      'status',
    );
    const message = `in-place restart of primary ${args.instance} requested`;
    return {
      structured: mutation(namespace, args.name, 'restart-requested', args.dry_run, message, patched),
      text: say(args.dry_run, message),
    };
  }
  try {
    await ctx.kube.core.deleteNamespacedPod(
      { namespace, name: args.instance, ...dryRunParam(args.dry_run) },
      ctx.kube.options,
    );
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
  const message = `replica ${args.instance} deleted; the operator recreates it on its volume`;
  return {
    structured: mutation(namespace, args.name, 'restart-requested', args.dry_run, message),
    text: say(args.dry_run, message),
  };
});

export const clusterReloadTool = implement(clusterReload, async (args, ctx) => {
  const { namespace } = await clusterForChange(ctx, args);
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { metadata: { annotations: { 'cnpg.io/reloadedAt': new Date().toISOString() } } },
    args.dry_run,
  );
  const message = `configuration reload of ${namespace}/${args.name} requested`;
  return {
    structured: mutation(namespace, args.name, 'reload-requested', args.dry_run, message, patched),
    text: say(args.dry_run, message),
  };
});

export const clusterHibernateTool = implement(clusterHibernate, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'cluster name');
  const { namespace } = await clusterForChange(ctx, args);
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { metadata: { annotations: { [HIBERNATION_ANNOTATION]: 'on' } } },
    args.dry_run,
  );
  const message = `cluster ${namespace}/${args.name} hibernating: instances stop, volumes are kept`;
  return {
    structured: mutation(namespace, args.name, 'hibernated', args.dry_run, message, patched),
    text: say(args.dry_run, message),
  };
});

export const clusterResumeTool = implement(clusterResume, async (args, ctx) => {
  const { namespace } = await clusterForChange(ctx, args);
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { metadata: { annotations: { [HIBERNATION_ANNOTATION]: 'off' } } },
    args.dry_run,
  );
  const message = `cluster ${namespace}/${args.name} resuming from hibernation`;
  return {
    structured: mutation(namespace, args.name, 'resumed', args.dry_run, message, patched),
    text: say(args.dry_run, message),
  };
});

function fencedOf(cluster: ClusterObject): string[] {
  try {
    const parsed = JSON.parse(cluster.metadata.annotations?.[FENCED_ANNOTATION] ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function fencingTool(fence: boolean) {
  return implement(fence ? clusterFence : clusterUnfence, async (args, ctx) => {
    const { namespace, cluster } = await clusterForChange(ctx, args);
    if (args.instance !== '*') await instancePod(ctx, namespace, cluster, args.instance);
    const current = fencedOf(cluster);
    let next: string[];
    if (fence) {
      next =
        args.instance === '*'
          ? ['*']
          : current.includes('*')
            ? current
            : [...new Set([...current, args.instance])];
    } else if (args.instance === '*') {
      next = [];
    } else {
      if (current.includes('*')) {
        throw new ToolFailure(
          'precondition',
          'the whole cluster is fenced ("*"); unfence "*" instead of one instance',
        );
      }
      next = current.filter((n) => n !== args.instance);
    }
    next.sort();
    const patched = await patchCluster(
      ctx,
      namespace,
      args.name,
      { metadata: { annotations: { [FENCED_ANNOTATION]: next.length ? JSON.stringify(next) : null } } },
      args.dry_run,
    );
    const message = `${args.instance === '*' ? 'all instances' : args.instance} of ${namespace}/${args.name} ${fence ? 'fenced' : 'unfenced'}; fenced now: ${next.join(', ') || 'none'}`;
    return {
      structured: {
        ...mutation(namespace, args.name, fence ? 'fenced' : 'unfenced', args.dry_run, message, patched),
        fencedInstances: next,
      },
      text: say(args.dry_run, message),
    };
  });
}

export const clusterFenceTool = fencingTool(true);
export const clusterUnfenceTool = fencingTool(false);

export const clusterSwitchoverTool = implement(clusterSwitchover, async (args, ctx) => {
  const { namespace } = await clusterForChange(ctx, args);
  let previousPrimary = '';
  let chosen = '';
  const patched = await retryOnConflict(async () => {
    const cluster = await getCluster(ctx, namespace, args.name);
    const status = cluster.status ?? {};
    previousPrimary = status.currentPrimary ?? '';
    if (!args.force && status.phase !== PHASE_HEALTHY) {
      throw new ToolFailure(
        'precondition',
        `cluster is not healthy ("${status.phase ?? 'unknown'}"); wait, or set force`,
      );
    }
    if (!args.force && status.targetPrimary && status.targetPrimary !== status.currentPrimary) {
      throw new ToolFailure('precondition', `a switchover to ${status.targetPrimary} is already in progress`);
    }
    const candidates = (status.instanceNames ?? []).filter((n) => n !== previousPrimary);
    chosen = args.target_instance ?? '';
    if (!chosen) {
      const healthy = status.instancesStatus?.healthy ?? [];
      chosen = candidates.find((n) => healthy.includes(n)) ?? '';
      if (!chosen) throw new ToolFailure('precondition', 'no healthy replica to promote');
    }
    if (chosen === previousPrimary) throw new ToolFailure('precondition', `${chosen} is already the primary`);
    const pod = await instancePod(ctx, namespace, cluster, chosen);
    if (!args.force && !isReady(pod))
      throw new ToolFailure('precondition', `${chosen} is not a ready replica; pick another or set force`);
    const now = new Date().toISOString().replace('Z', '000Z');
    const conditions = (status.conditions ?? []).map((c) =>
      c.type === 'Ready'
        ? {
            ...c,
            status: 'False',
            reason: 'ClusterIsNotReady',
            message: 'Cluster Is Not Ready',
            lastTransitionTime: new Date().toISOString(),
          }
        : c,
    );
    return patchCluster(
      ctx,
      namespace,
      args.name,
      {
        metadata: { resourceVersion: cluster.metadata.resourceVersion },
        status: {
          targetPrimary: chosen,
          targetPrimaryTimestamp: now,
          phase: 'Switchover in progress',
          phaseReason: `Switching over to ${chosen}`,
          ...(conditions.length ? { conditions } : {}),
        },
      },
      args.dry_run,
      'status',
    );
  });
  const message = `switchover of ${namespace}/${args.name} from ${previousPrimary || '?'} to ${chosen} requested`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'switchover-requested', args.dry_run, message, patched),
      previousPrimary,
      targetPrimary: chosen,
    },
    text: say(args.dry_run, message),
  };
});

export const clusterInstanceDestroyTool = implement(clusterInstanceDestroy, async (args, ctx) => {
  requireConfirmation(args.confirm, args.instance, 'instance name');
  const { namespace, cluster } = await clusterForChange(ctx, args);
  if (args.instance === cluster.status?.currentPrimary) {
    throw new ToolFailure(
      'precondition',
      `${args.instance} is the primary; switch over first (cluster_switchover)`,
    );
  }
  const pod = await instancePod(ctx, namespace, cluster, args.instance);
  const deleted: string[] = [];
  try {
    if (!args.keep_pvc) {
      const pvcs = await ctx.kube.core.listNamespacedPersistentVolumeClaim(
        { namespace, labelSelector: `cnpg.io/cluster=${args.name},cnpg.io/instanceName=${args.instance}` },
        ctx.kube.options,
      );
      for (const pvc of pvcs.items) {
        const name = pvc.metadata?.name ?? '';
        await ctx.kube.core.deleteNamespacedPersistentVolumeClaim(
          { namespace, name, ...dryRunParam(args.dry_run) },
          ctx.kube.options,
        );
        deleted.push(`persistentvolumeclaim/${name}`);
      }
    }
    if (pod) {
      await ctx.kube.core.deleteNamespacedPod(
        { namespace, name: args.instance, ...dryRunParam(args.dry_run) },
        ctx.kube.options,
      );
      deleted.push(`pod/${args.instance}`);
    }
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
  const message = `instance ${args.instance} of ${namespace}/${args.name} destroyed (${deleted.join(', ') || 'nothing left to delete'}); the operator creates a new instance`;
  return {
    structured: { ...mutation(namespace, args.name, 'instance-destroyed', args.dry_run, message), deleted },
    text: say(args.dry_run, message),
  };
});
