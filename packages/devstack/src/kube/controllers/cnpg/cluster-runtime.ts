/** Declarative runtime states: hibernation, fencing, reload requests and the final healthy status. */
import { asRecord } from '../../types.js';
import {
  type ClusterContext,
  fencedInstances,
  HIBERNATION,
  isReady,
  type Observed,
  type Step,
} from './cluster-context.js';
import { podStatus } from './cluster-objects.js';
import { type Condition, PHASE, removeCondition, setCondition } from './cluster-status.js';

export function hibernate(ctx: ClusterContext, o: Observed): boolean {
  const conditions = o.status.conditions as Condition[] | undefined;
  if (o.pods.length > 0) {
    const primary = o.pods.find((p) => p.metadata.name === o.status.currentPrimary);
    const victim = primary ?? o.pods[o.pods.length - 1]!;
    ctx.client.patchStatus(o.cluster, {
      conditions: setCondition(
        conditions,
        {
          type: HIBERNATION,
          status: 'False',
          reason: 'DeletingPods',
          message: 'Hibernation is in progress',
        },
        ctx.now(),
      ),
    });
    ctx.deletePod(o, victim.metadata.name!);
    return true;
  }
  ctx.writeStatus(o, {
    conditions: setCondition(
      conditions,
      { type: HIBERNATION, status: 'True', reason: 'Hibernated', message: 'Cluster has been hibernated' },
      ctx.now(),
    ),
  });
  return false;
}

export function rehydrate(ctx: ClusterContext, o: Observed): boolean {
  ctx.client.patchStatus(o.cluster, {
    conditions: removeCondition(o.status.conditions as Condition[] | undefined, HIBERNATION),
  });
  ctx.deps.events.record(o.cluster, 'Normal', 'Rehydrating', 'Cluster is being rehydrated');
  return true;
}

export function syncFencing(ctx: ClusterContext, o: Observed): Step {
  let changed = false;
  for (const pod of o.pods) {
    const shouldBeReady = !ctx.isFenced(o.cluster, pod.metadata.name!);
    if (isReady(pod) === shouldBeReady) continue;
    const status = asRecord(pod.status);
    pod.status = podStatus(o.image, String(status.podIP), String(status.startTime), shouldBeReady);
    ctx.client.update(pod);
    ctx.deps.instanceLogs.manager(
      o.ns,
      pod.metadata.name!,
      shouldBeReady
        ? 'Instance unfenced, starting postmaster'
        : 'Instance is fenced, shutting down postmaster',
    );
    changed = true;
  }
  if (changed) {
    ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {});
    ctx.deps.events.record(
      o.cluster,
      'Normal',
      'Fencing',
      `Fenced instances: ${JSON.stringify(fencedInstances(o.cluster))}`,
    );
  }
  return changed ? true : undefined;
}

export function reload(ctx: ClusterContext, o: Observed): Step {
  const requested = o.cluster.metadata.annotations?.['cnpg.io/reloadedAt'];
  const key = o.cluster.metadata.uid!;
  if (!requested || ctx.seenReloads.get(key) === requested) return undefined;
  ctx.seenReloads.set(key, requested);
  for (const pod of o.pods) {
    ctx.deps.instanceLogs.postgres(
      o.ns,
      pod.metadata.name!,
      'received SIGHUP, reloading configuration files',
    );
  }
  ctx.deps.events.record(o.cluster, 'Normal', 'Reload', 'Configuration reload requested');
  return undefined;
}

export function markHealthy(ctx: ClusterContext, o: Observed): boolean {
  const fenced = fencedInstances(o.cluster);
  const extra: Record<string, unknown> = { phase: PHASE.healthy, phaseReason: '' };
  if (fenced.length > 0 && o.pods.every((p) => !isReady(p))) extra.phaseReason = 'All instances are fenced';
  const before = o.status.phase;
  ctx.writeStatus(o, extra);
  if (before !== PHASE.healthy)
    ctx.deps.events.record(o.cluster, 'Normal', 'ClusterReady', 'Cluster is ready');
  return false;
}
