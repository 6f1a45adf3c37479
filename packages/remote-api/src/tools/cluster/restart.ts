import { clusterRestart } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { instancePodReference, requireInstance } from './instances.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { mutation } from './ops.js';

type Args = z.output<typeof clusterRestart.inputSchema>;

/** What a restart writes: an annotation (rolling), a status phase (the primary in place), or a replica's Pod deleted. */
export type RestartPlan = { message: string } & (
  | { write: 'cluster'; patch: Record<string, unknown> }
  | { write: 'status'; patch: Record<string, unknown> }
  | { write: 'pod'; pod: string }
);

export function planRestart(
  args: Args,
  cluster: ClusterObject,
  pod: KubeObject | undefined,
  now: Date,
): RestartPlan {
  const where = `${cluster.metadata.namespace ?? ''}/${args.name}`;
  if (!args.instance) {
    return {
      write: 'cluster',
      patch: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now.toISOString() } } },
      message: `rolling restart of ${where} requested (replicas first, then the primary)`,
    };
  }
  requireInstance(cluster, args.instance, pod);
  if (args.instance === cluster.status?.currentPrimary) {
    return {
      write: 'status',
      patch: {
        status: {
          phase: 'Primary instance is being restarted in-place',
          phaseReason: 'Requested by the user',
        },
      },
      message: `in-place restart of primary ${args.instance} requested`,
    };
  }
  if (!pod) {
    throw new ToolFailure(
      'precondition',
      `replica ${args.instance} has no pod right now (the operator is creating it); nothing to restart`,
    );
  }
  return {
    write: 'pod',
    pod: args.instance,
    message: `replica ${args.instance} deleted; the operator recreates it on its volume`,
  };
}

export const clusterRestartTool = defineTool({
  definition: clusterRestart,
  references: {
    cluster: namedCluster<Args>('change'),
    pod: instancePodReference<Args>('change', 'the instance to restart', (args) => args.instance),
  },
  async run(args, ctx) {
    const plan = planRestart(args, seenCluster(ctx.seen), ctx.seen.pod, new Date());
    let object: ClusterObject | undefined;
    if (plan.write === 'cluster') object = await ctx.write.patch('Cluster', args.name, plan.patch);
    else if (plan.write === 'status')
      object = await ctx.write.patch('Cluster', args.name, plan.patch, { subresource: 'status' });
    else await ctx.write.delete('Pod', plan.pod);
    return {
      structured: mutation(ctx.namespace, args.name, 'restart-requested', args.dry_run, plan.message, object),
      text: say(args.dry_run, plan.message),
    };
  },
});
