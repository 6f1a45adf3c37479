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

const HIBERNATION_STARTED = new Set(['DeletingPods', 'WaitingPodsDeletion', 'Hibernated']);

/**
 * Hibernation waits for a healthy cluster unless it has already begun (hibernation/status.go
 * EnrichStatus): meanwhile the condition says so and reconciliation goes on. True when it waits.
 */
export function hibernationWaits(ctx: ClusterContext, o: Observed): boolean {
  const conditions = o.status.conditions as Condition[] | undefined;
  const current = conditions?.find((c) => c.type === HIBERNATION);
  if (o.status.phase === PHASE.healthy || (current && HIBERNATION_STARTED.has(current.reason))) return false;
  if (current?.reason !== 'WaitingForHealthy') {
    ctx.client.patchStatus(o.cluster, {
      conditions: setCondition(
        conditions,
        {
          type: HIBERNATION,
          status: 'False',
          reason: 'WaitingForHealthy',
          message: 'Waiting for the cluster to be healthy before proceeding with hibernation',
        },
        ctx.now(),
      ),
    });
  }
  return true;
}

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
  if (changed) ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {});
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
  return undefined;
}

export function markHealthy(ctx: ClusterContext, o: Observed): boolean {
  const fenced = fencedInstances(o.cluster);
  const extra: Record<string, unknown> = { phase: PHASE.healthy, phaseReason: '' };
  if (fenced.length > 0 && o.pods.every((p) => !isReady(p))) extra.phaseReason = 'All instances are fenced';
  ctx.writeStatus(o, extra);
  return false;
}
