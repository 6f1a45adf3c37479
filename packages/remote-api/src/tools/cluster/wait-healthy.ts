import { pollUntil } from '../common/wait.js';
import type { ToolContext } from '../context.js';
import { PHASE_HEALTHY } from './model.js';
import { getCluster } from './ops.js';

/**
 * Polls a new cluster until it is healthy with all its instances ready, sending progress; stops
 * on cancellation or timeout (cluster_create, backup_restore).
 */
export function waitForHealthy(
  ctx: Pick<ToolContext, 'kube' | 'namespace' | 'signal' | 'config' | 'progress'>,
  name: string,
  instances: number,
  timeoutSeconds: number,
) {
  return pollUntil(
    ctx,
    timeoutSeconds,
    () => getCluster(ctx, ctx.namespace, name),
    (cluster) => {
      const ready = cluster.status?.readyInstances ?? 0;
      const phase = cluster.status?.phase ?? 'Pending';
      return {
        done: phase === PHASE_HEALTHY && ready >= instances,
        progress: ready,
        total: instances,
        line: `${phase}: ${ready}/${instances} instances ready`,
      };
    },
  );
}
