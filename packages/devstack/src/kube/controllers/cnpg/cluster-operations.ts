/**
 * Operations on running instances: switchover, parameter changes, restarts and rolling updates,
 * volume growth.
 */

import { parseQuantity } from '@cnpg-mcp/catalog';
import { RESTART_PARAMETERS } from '../../admission/postgres-parameters.js';
import { asRecord, type KubeObject } from '../../types.js';
import { rfc3339Micro } from '../../util/clock.js';
import {
  type ClusterContext,
  isReady,
  type Observed,
  parametersOf,
  RESTARTED_AT,
  restartParameters,
  type Step,
  serialOf,
} from './cluster-context.js';
import { PHASE } from './cluster-status.js';

export function switchover(ctx: ClusterContext, o: Observed): Step {
  const current = o.status.currentPrimary as string | undefined;
  let target = o.status.targetPrimary as string | undefined;
  if (!target || !current || target === current) return undefined;
  if (target === 'pending') {
    const candidate = o.pods.find((p) => p.metadata.name !== current && isReady(p));
    if (!candidate) return false;
    ctx.writeStatus(o, {
      targetPrimary: candidate.metadata.name,
      phase: PHASE.failover,
      phaseReason: `Failing over from ${current} to ${candidate.metadata.name}`,
    });
    return true;
  }
  const targetPod = o.pods.find((p) => p.metadata.name === target);
  if (!targetPod || !isReady(targetPod)) {
    // The target is not an active instance: the operator keeps the current primary.
    ctx.writeStatus(o, {
      targetPrimary: current,
      targetPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
    });
    return true;
  }
  if (o.status.phase !== PHASE.switchover && o.status.phase !== PHASE.failover) {
    ctx.writeStatus(o, { phase: PHASE.switchover, phaseReason: `Switching over to ${target}` });
    return true;
  }
  for (const obj of [...o.pods, ...o.pvcs]) {
    const role = obj.metadata.name === target ? 'primary' : 'replica';
    obj.metadata.labels = { ...obj.metadata.labels, 'cnpg.io/instanceRole': role, role };
    ctx.client.update(obj);
  }
  ctx.deps.instanceLogs.postgres(o.ns, target, 'received promote request', { backendType: 'startup' });
  ctx.deps.instanceLogs.postgres(
    o.ns,
    target,
    `selected new timeline ID: ${Number(o.status.timelineID ?? 1) + 1}`,
    {
      backendType: 'startup',
    },
  );
  if (o.pods.some((p) => p.metadata.name === current)) {
    ctx.deps.instanceLogs.postgres(o.ns, current, 'received fast shutdown request');
  }
  target = String(target);
  ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {
    currentPrimary: target,
    currentPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
    timelineID: Number(o.status.timelineID ?? 1) + 1,
  });
  return true;
}

/** Changed parameters are reloaded on every instance; restart-only ones leave the pods stale for rollOut. */
export function applyParameters(ctx: ClusterContext, o: Observed): Step {
  const key = o.cluster.metadata.uid!;
  const applied = ctx.appliedParameters.get(key);
  if (!applied || o.pods.length === 0) return undefined;
  const wanted = parametersOf(o.cluster);
  const changed = [...new Set([...Object.keys(applied), ...Object.keys(wanted)])].filter(
    (k) => applied[k] !== wanted[k],
  );
  if (changed.length === 0) return undefined;
  ctx.appliedParameters.set(key, wanted);
  for (const pod of o.pods) {
    const name = pod.metadata.name!;
    ctx.deps.instanceLogs.postgres(o.ns, name, 'received SIGHUP, reloading configuration files');
    for (const k of changed) {
      const restart = RESTART_PARAMETERS.has(k);
      const text =
        wanted[k] === undefined
          ? `parameter "${k}" removed from configuration file, reset to default`
          : restart
            ? `parameter "${k}" cannot be changed without restarting the server`
            : `parameter "${k}" changed to "${wanted[k]}"`;
      ctx.deps.instanceLogs.postgres(o.ns, name, text);
    }
  }
  return undefined;
}

/**
 * `kubectl cnpg restart X X-1` on the primary sets this phase; the primary's instance manager
 * restarts PostgreSQL inside the running pod (no new pod) and reports the cluster healthy again
 * (instance_controller.go restartPrimaryInplaceIfRequested).
 */
export function restartPrimaryInPlace(ctx: ClusterContext, o: Observed): Step {
  if (o.status.phase !== PHASE.inplacePrimaryRestart) return undefined;
  const primary = o.status.currentPrimary as string | undefined;
  const pod = o.pods.find((p) => p.metadata.name === primary);
  if (!primary || !pod || o.status.targetPrimary !== primary) return undefined;
  for (const line of [
    'received fast shutdown request',
    'database system is shut down',
    'database system is ready to accept connections',
  ]) {
    ctx.deps.instanceLogs.postgres(o.ns, primary, line);
  }
  // Restart-only parameters changed since the pod started are now in effect.
  ctx.podStartParameters.set(pod.metadata.uid!, restartParameters(o.cluster));
  ctx.writeStatus(o, { phase: PHASE.healthy, phaseReason: 'Primary instance restarted in-place' });
  return true;
}

/** Rolling restart (restartedAt annotation) and image updates: replicas first, then the primary. */
export function rollOut(ctx: ClusterContext, o: Observed): Step {
  const restartedAt = o.cluster.metadata.annotations?.[RESTARTED_AT];
  const stale = (pod: KubeObject) => {
    const podImage = (asRecord(pod.spec).containers as { image: string }[] | undefined)?.[0]?.image;
    if (podImage !== o.image) return `the instance is using a different image: ${podImage} -> ${o.image}`;
    if (restartedAt && pod.metadata.annotations?.[RESTARTED_AT] !== restartedAt) {
      return 'cluster has been explicitly restarted via annotation';
    }
    const started = ctx.podStartParameters.get(pod.metadata.uid!);
    if (started !== undefined && started !== restartParameters(o.cluster)) {
      return 'configuration needs a restart to apply some configuration changes';
    }
    return undefined;
  };
  const primaryName = o.status.currentPrimary as string | undefined;
  const pending = o.pods.filter((p) => stale(p) !== undefined);
  if (pending.length === 0) return undefined;
  const replicas = pending.filter((p) => p.metadata.name !== primaryName).reverse();
  const next = replicas[0] ?? pending[0]!;
  const instance = next.metadata.name!;
  const isPrimary = instance === primaryName;
  const spec = asRecord(o.cluster.spec);
  if (isPrimary && spec.primaryUpdateStrategy === 'supervised' && o.pods.length > 1) {
    ctx.writeStatus(o, {
      phase: PHASE.waitingForUser,
      phaseReason: 'User must issue a supervised switchover',
    });
    return false;
  }
  if (isPrimary && spec.primaryUpdateMethod === 'switchover' && o.pods.length > 1) {
    const candidate = o.pods.find((p) => p.metadata.name !== instance && isReady(p));
    if (candidate) {
      ctx.deps.events.record(
        o.cluster,
        'Normal',
        'Switchover',
        `Initiating switchover to ${candidate.metadata.name} to upgrade ${instance}`,
      );
      ctx.writeStatus(o, {
        targetPrimary: candidate.metadata.name,
        targetPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
        phase: PHASE.switchover,
        phaseReason: `Switching over to ${candidate.metadata.name}`,
      });
      return true;
    }
  }
  const reason = `Restarting instance ${instance}, because: ${stale(next)}`;
  if (o.status.phase !== PHASE.upgrade || o.status.phaseReason !== reason) {
    ctx.writeStatus(o, { phase: PHASE.upgrade, phaseReason: reason });
    return true;
  }
  ctx.deps.events.record(o.cluster, 'Normal', 'UpgradingInstance', `Upgrading instance ${instance}`);
  ctx.deletePod(o, instance);
  ctx.startPod(
    ctx.observe(o.cluster, o.image),
    serialOf(o.name, instance),
    isPrimary ? 'primary' : 'replica',
    false,
  );
  ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {});
  return true;
}

/** The size each volume role should have (spec.storage, spec.walStorage), when growing in use is allowed. */
function wantedSizes(cluster: KubeObject): Map<string, { size: string; bytes: number }> {
  const spec = asRecord(cluster.spec);
  const wanted = new Map<string, { size: string; bytes: number }>();
  for (const [role, section] of [
    ['PG_DATA', spec.storage],
    ['PG_WAL', spec.walStorage],
  ] as const) {
    const storage = asRecord(section);
    const size = typeof storage.size === 'string' ? storage.size : undefined;
    const bytes = size ? parseQuantity(size) : undefined;
    if (size && bytes !== undefined && storage.resizeInUseVolumes !== false)
      wanted.set(role, { size, bytes });
  }
  return wanted;
}

export function resizeStorage(ctx: ClusterContext, o: Observed): Step {
  const wanted = wantedSizes(o.cluster);
  if (wanted.size === 0) return undefined;
  const resizing = o.status.resizingPVC as string[] | undefined;
  if (resizing && resizing.length > 0) {
    for (const pvcName of resizing) {
      const pvc = ctx.client.get('PersistentVolumeClaim', o.ns, pvcName);
      if (!pvc) continue;
      const requested = asRecord(asRecord(asRecord(pvc.spec).resources).requests).storage;
      pvc.status = { ...asRecord(pvc.status), capacity: { storage: requested } };
      delete (pvc.status as Record<string, unknown>).conditions;
      ctx.client.update(pvc);
    }
    ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {
      resizingPVC: undefined,
    });
    return true;
  }
  const small = ctx.client
    .list('PersistentVolumeClaim', o.ns, { 'cnpg.io/cluster': o.name })
    .filter((pvc) => {
      const target = wanted.get(pvc.metadata.labels?.['cnpg.io/pvcRole'] ?? '');
      const req = asRecord(asRecord(asRecord(pvc.spec).resources).requests).storage;
      return target !== undefined && typeof req === 'string' && (parseQuantity(req) ?? 0) < target.bytes;
    });
  if (small.length === 0) return undefined;
  for (const pvc of small) {
    const target = wanted.get(pvc.metadata.labels?.['cnpg.io/pvcRole'] ?? '')!;
    pvc.spec = { ...asRecord(pvc.spec), resources: { requests: { storage: target.size } } };
    pvc.status = {
      ...asRecord(pvc.status),
      conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: ctx.now() }],
    };
    ctx.client.update(pvc);
  }
  ctx.writeStatus(ctx.observe(o.cluster, o.image), {
    resizingPVC: small.map((p) => p.metadata.name!).sort(),
  });
  return true;
}
