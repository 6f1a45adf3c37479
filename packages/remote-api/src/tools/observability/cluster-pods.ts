import { clusterPods } from '@cnpg-mcp/catalog';
import type { V1Pod } from '@kubernetes/client-node';
import type { z } from 'zod';
import { type ClusterObject, formatAge, namedCluster, seenCluster } from '../cluster/model.js';
import { defineTool } from '../context.js';
import { instancePods, iso } from './instance-pods.js';

type Args = z.output<typeof clusterPods.inputSchema>;

function podSummary(pod: V1Pod, primary: string, now: number) {
  const name = pod.metadata?.name ?? '';
  const label = pod.metadata?.labels?.['cnpg.io/instanceRole'] ?? pod.metadata?.labels?.role;
  const started = iso(pod.status?.startTime);
  return {
    name,
    role: (label === 'primary' || name === primary
      ? 'primary'
      : label === 'replica'
        ? 'replica'
        : 'unknown') as 'primary' | 'replica' | 'unknown',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    phase: pod.status?.phase ?? '',
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    node: pod.spec?.nodeName ?? '',
    ip: pod.status?.podIP ?? '',
    startedAt: started,
    age: formatAge(started || iso(pod.metadata?.creationTimestamp), now),
  };
}

/** The cluster's instance pods as cluster_pods shows them (role from the labels or the cluster's primary). */
export function describePods(
  args: Args,
  namespace: string,
  cluster: ClusterObject,
  pods: V1Pod[],
  now: number,
) {
  const summaries = pods.map((p) => podSummary(p, cluster.status?.currentPrimary ?? '', now));
  return {
    structured: { namespace, cluster: args.name, pods: summaries },
    text: [
      `${summaries.length} instance pod(s) of ${namespace}/${args.name}`,
      ...summaries.map(
        (p) =>
          `  ${p.name}  ${p.role}  ${p.ready ? 'ready' : 'NOT ready'}  ${p.phase}${p.restarts ? `  restarts=${p.restarts}` : ''}${p.node ? `  node=${p.node}` : ''}  age=${p.age}`,
      ),
    ].join('\n'),
  };
}

export const clusterPodsTool = defineTool({
  definition: clusterPods,
  references: { cluster: namedCluster<Args>('read') },
  async run(args, ctx) {
    const pods = await instancePods(ctx.kube, ctx.namespace, args.name);
    return describePods(args, ctx.namespace, seenCluster(ctx.seen), pods, Date.now());
  },
});
