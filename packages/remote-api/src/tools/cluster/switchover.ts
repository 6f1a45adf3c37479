import { clusterSwitchover } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { retryOnConflict } from '../../kube/conflict-retry.js';
import { say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { instancePodReference, isInstanceName, isReady, readPod, requireInstance } from './instances.js';
import { type ClusterObject, namedCluster, PHASE_HEALTHY, seenCluster } from './model.js';
import { getCluster, mutation } from './ops.js';

type Args = z.output<typeof clusterSwitchover.inputSchema>;

/** The replica to promote: the one asked for, else the first healthy replica the cluster lists. */
export function switchoverTarget(args: Args, cluster: ClusterObject | undefined): string {
  if (args.target_instance) return args.target_instance;
  const status = cluster?.status ?? {};
  const healthy = status.instancesStatus?.healthy ?? [];
  return (status.instanceNames ?? []).find((n) => n !== status.currentPrimary && healthy.includes(n)) ?? '';
}

/**
 * The switchover CloudNativePG performs when status.targetPrimary differs from currentPrimary (what
 * `kubectl cnpg promote` writes), conditional on the Cluster's resourceVersion; refused unless the
 * cluster is healthy, no switchover is under way and the target is a ready replica (or `force`).
 */
export function planSwitchover(
  args: Args,
  cluster: ClusterObject,
  target: KubeObject | undefined,
  now: Date,
) {
  const status = cluster.status ?? {};
  const previousPrimary = status.currentPrimary ?? '';
  if (!args.force && status.phase !== PHASE_HEALTHY) {
    throw new ToolFailure(
      'precondition',
      `cluster is not healthy ("${status.phase ?? 'unknown'}"); wait, or set force`,
    );
  }
  if (!args.force && status.targetPrimary && status.targetPrimary !== status.currentPrimary) {
    throw new ToolFailure('precondition', `a switchover to ${status.targetPrimary} is already in progress`);
  }
  const chosen = switchoverTarget(args, cluster);
  if (!chosen) throw new ToolFailure('precondition', 'no healthy replica to promote');
  if (chosen === previousPrimary) throw new ToolFailure('precondition', `${chosen} is already the primary`);
  requireInstance(cluster, chosen, target);
  if (!args.force && !isReady(target)) {
    throw new ToolFailure('precondition', `${chosen} is not a ready replica; pick another or set force`);
  }
  const conditions = (status.conditions ?? []).map((c) =>
    c.type === 'Ready'
      ? {
          ...c,
          status: 'False',
          reason: 'ClusterIsNotReady',
          message: 'Cluster Is Not Ready',
          lastTransitionTime: now.toISOString(),
        }
      : c,
  );
  return {
    previousPrimary,
    chosen,
    statusPatch: {
      metadata: { resourceVersion: cluster.metadata.resourceVersion },
      status: {
        targetPrimary: chosen,
        // The operator's own timestamps carry microseconds.
        targetPrimaryTimestamp: now.toISOString().replace('Z', '000Z'),
        phase: 'Switchover in progress',
        phaseReason: `Switching over to ${chosen}`,
        ...(conditions.length ? { conditions } : {}),
      },
    },
  };
}

export const clusterSwitchoverTool = defineTool({
  definition: clusterSwitchover,
  references: {
    cluster: namedCluster<Args>('change'),
    target: instancePodReference<Args>('use', 'the replica to promote', switchoverTarget),
  },
  async run(args, ctx) {
    let attempt = 0;
    // A conflict means the cluster changed since it was read: read it (and the target) again and re-plan.
    const { plan, patched } = await retryOnConflict(
      async () => {
        let cluster = seenCluster(ctx.seen);
        let target = ctx.seen.target;
        if (attempt++ > 0) {
          cluster = await getCluster(ctx, ctx.namespace, args.name);
          const name = switchoverTarget(args, cluster);
          target = isInstanceName(args.name, name) ? await readPod(ctx.kube, ctx.namespace, name) : undefined;
        }
        const plan = planSwitchover(args, cluster, target, new Date());
        const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.statusPatch, {
          subresource: 'status',
        });
        return { plan, patched };
      },
      { signal: ctx.signal },
    );
    const { previousPrimary, chosen } = plan;
    const message = `switchover of ${ctx.namespace}/${args.name} from ${previousPrimary || '?'} to ${chosen} requested`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'switchover-requested', args.dry_run, message, patched),
        previousPrimary,
        targetPrimary: chosen,
      },
      text: say(args.dry_run, message),
    };
  },
});
