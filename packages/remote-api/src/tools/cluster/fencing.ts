/** Fencing as CloudNativePG records it: a JSON list of instance names (or "*") in one Cluster annotation. */
import type { clusterFence } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { type ToolContext, ToolFailure, type ToolOutcome } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { References } from '../framework/references.js';
import { instancePodReference, requireInstance } from './instances.js';
import {
  type ClusterObject,
  FENCED_ANNOTATION,
  fencedInstances,
  namedCluster,
  seenCluster,
} from './model.js';
import { mutation } from './ops.js';

/** cluster_fence and cluster_unfence take the same input. */
export type FencingArgs = z.output<typeof clusterFence.inputSchema>;

/** The fenced list after fencing (or unfencing) one instance or "*", and the annotation patch that records it. */
export function planFencing(
  fence: boolean,
  args: FencingArgs,
  cluster: ClusterObject,
  pod: KubeObject | undefined,
) {
  if (args.instance !== '*') requireInstance(cluster, args.instance, pod);
  const current = fencedInstances(cluster);
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
  const where = `${cluster.metadata.namespace ?? ''}/${args.name}`;
  return {
    next,
    patch: { metadata: { annotations: { [FENCED_ANNOTATION]: next.length ? JSON.stringify(next) : null } } },
    message: `${args.instance === '*' ? 'all instances' : args.instance} of ${where} ${fence ? 'fenced' : 'unfenced'}; fenced now: ${next.join(', ') || 'none'}`,
  };
}

/** The Cluster whose annotation changes, and the instance's Pod, read to check it is one of the cluster's. */
export const fencingReferences: References<FencingArgs> = {
  cluster: namedCluster<FencingArgs>('change'),
  pod: instancePodReference<FencingArgs>('use', 'the instance', (args) =>
    args.instance === '*' ? undefined : args.instance,
  ),
};

export async function runFencing(fence: boolean, args: FencingArgs, ctx: ToolContext): Promise<ToolOutcome> {
  const plan = planFencing(fence, args, seenCluster(ctx.seen), ctx.seen.pod);
  const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.patch);
  return {
    structured: {
      ...mutation(
        ctx.namespace,
        args.name,
        fence ? 'fenced' : 'unfenced',
        args.dry_run,
        plan.message,
        patched,
      ),
      fencedInstances: plan.next,
    },
    text: say(args.dry_run, plan.message),
  };
}
