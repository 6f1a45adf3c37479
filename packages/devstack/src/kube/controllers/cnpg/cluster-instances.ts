/**
 * Instance lifecycle: bootstrap and join jobs, pods from PVCs, failover of a lost primary, scaling,
 * offline major upgrades.
 */
import { imageMajor } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject } from '../../types.js';
import { rfc3339Micro } from '../../util/clock.js';
import { type ClusterContext, isReady, type Observed, type Step, serialOf } from './cluster-context.js';
import { bootstrapJobRole, instanceJob, instancePvc } from './cluster-objects.js';
import { PHASE } from './cluster-status.js';

export function completeJobs(ctx: ClusterContext, o: Observed): Step {
  const jobs = ctx.client.list('Job', o.ns, { 'cnpg.io/cluster': o.name });
  const job = jobs[0];
  if (!job) return undefined;
  const instance = job.metadata.labels?.['cnpg.io/instanceName'] ?? '';
  const serial = serialOf(o.name, instance);
  if (job.metadata.labels?.['cnpg.io/jobRole'] === 'major-upgrade')
    return finishMajorUpgrade(ctx, o, job, serial);
  const initdb = job.metadata.labels?.['cnpg.io/jobRole'] !== 'join';
  ctx.client.delete('Job', o.ns, job.metadata.name!);
  const pvc = ctx.client.get('PersistentVolumeClaim', o.ns, instance);
  if (pvc) {
    pvc.metadata.annotations = { ...pvc.metadata.annotations, 'cnpg.io/pvcStatus': 'ready' };
    ctx.client.update(pvc);
  }
  const role = initdb ? 'primary' : 'replica';
  const pod = ctx.startPod(o, serial, role, initdb);
  const refreshed = ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image);
  const extra: Record<string, unknown> = {};
  if (initdb) {
    const now = rfc3339Micro(ctx.deps.clock.now());
    Object.assign(extra, {
      currentPrimary: pod.metadata.name,
      currentPrimaryTimestamp: now,
      timelineID: 1,
    });
    const method = job.metadata.labels?.['cnpg.io/jobRole'];
    ctx.deps.events.record(o.cluster, 'Normal', 'CreatingInstance', `Primary instance (${method})`);
  } else {
    ctx.deps.events.record(o.cluster, 'Normal', 'CreatingInstance', `Creating instance ${instance}`);
  }
  ctx.writeStatus(refreshed, extra);
  return true;
}

export function createPrimary(ctx: ClusterContext, o: Observed): Step {
  if (o.pvcs.length > 0) return undefined;
  const instance = `${o.name}-1`;
  ctx.client.create(instancePvc(o.cluster, o.image, 1, 'initializing', 'primary'));
  ctx.client.create(instanceJob(o.cluster, o.image, 1, bootstrapJobRole(o.cluster)));
  ctx.writeStatus(ctx.observe(o.cluster, o.image), {
    phase: PHASE.firstPrimary,
    phaseReason: `Creating primary instance ${instance}`,
    targetPrimary: instance,
    targetPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
  });
  return true;
}

/** Deleted instance pods come back from their PVCs; a lost primary is failed over first. */
export function recreateMissingPods(ctx: ClusterContext, o: Observed): Step {
  const podNames = new Set(o.pods.map((p) => p.metadata.name));
  const missingPvcs = o.pvcs.filter(
    (pvc) => !podNames.has(pvc.metadata.name) && pvc.metadata.annotations?.['cnpg.io/pvcStatus'] === 'ready',
  );
  if (missingPvcs.length === 0) return undefined;
  const currentPrimary = o.status.currentPrimary as string | undefined;
  const targetPrimary = o.status.targetPrimary as string | undefined;
  if (targetPrimary && currentPrimary && targetPrimary !== currentPrimary) return undefined;
  const primaryMissing = missingPvcs.some((p) => p.metadata.name === currentPrimary);
  const survivor = o.pods.find((p) => p.metadata.name !== currentPrimary && isReady(p));
  if (primaryMissing && survivor && currentPrimary) {
    ctx.writeStatus(o, {
      targetPrimary: survivor.metadata.name,
      targetPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
      phase: PHASE.failover,
      phaseReason: `Failing over from ${currentPrimary} to ${survivor.metadata.name}`,
    });
    ctx.deps.events.record(
      o.cluster,
      'Warning',
      'FailingOver',
      `Failing over from ${currentPrimary} to ${survivor.metadata.name}`,
    );
    return true;
  }
  // The primary comes back first (after hibernation it must keep its role).
  const missing = missingPvcs.find((p) => p.metadata.name === currentPrimary) ?? missingPvcs[0]!;
  const instance = missing.metadata.name!;
  const extra: Record<string, unknown> = {};
  let role: 'primary' | 'replica' = instance === currentPrimary ? 'primary' : 'replica';
  if (!currentPrimary) {
    role = 'primary';
    Object.assign(extra, { currentPrimary: instance, targetPrimary: instance });
  }
  ctx.startPod(o, serialOf(o.name, instance), role, false);
  ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), extra);
  return true;
}

export function scaleUp(ctx: ClusterContext, o: Observed): Step {
  if (o.pvcs.length >= ctx.desiredInstances(o)) return undefined;
  const used = new Set(o.pvcs.map((p) => serialOf(o.name, p.metadata.name!)));
  let serial = 1;
  while (used.has(serial)) serial += 1;
  ctx.client.create(instancePvc(o.cluster, o.image, serial, 'initializing', 'replica'));
  ctx.client.create(instanceJob(o.cluster, o.image, serial, 'join'));
  ctx.writeStatus(ctx.observe(o.cluster, o.image), {
    phase: PHASE.creatingReplica,
    phaseReason: `Creating replica ${o.name}-${serial}-join`,
  });
  return true;
}

export function scaleDown(ctx: ClusterContext, o: Observed): Step {
  if (o.pvcs.length <= ctx.desiredInstances(o)) return undefined;
  const victim = [...o.pvcs].reverse().find((p) => p.metadata.name !== o.status.currentPrimary);
  if (!victim) return undefined;
  const instance = victim.metadata.name!;
  ctx.deletePod(o, instance);
  ctx.client.delete('PersistentVolumeClaim', o.ns, instance);
  ctx.deps.events.record(
    o.cluster,
    'Normal',
    'DeletingInstance',
    `Scaling down: removing instance ${instance}`,
  );
  ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {});
  return true;
}

/** A higher PostgreSQL major in the image: stop every instance and run pg_upgrade offline. */
export function startMajorUpgrade(ctx: ClusterContext, o: Observed): Step {
  const from = asRecord(o.status.pgDataImageInfo);
  const to = imageMajor(o.image);
  const primary = o.status.currentPrimary as string | undefined;
  if (typeof from.majorVersion !== 'number' || to === undefined || to <= from.majorVersion || !primary)
    return undefined;
  for (const pod of o.pods) ctx.deletePod(o, pod.metadata.name!);
  ctx.client.create(instanceJob(o.cluster, o.image, serialOf(o.name, primary), 'major-upgrade'));
  ctx.deps.events.record(
    o.cluster,
    'Normal',
    'MajorUpgrade',
    `Upgrading from major ${from.majorVersion} to ${to}`,
  );
  ctx.writeStatus(ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image), {
    phase: PHASE.majorUpgrade,
    phaseReason: `Upgrading PostgreSQL from major version ${from.majorVersion} to ${to}`,
    targetPgDataImageInfo: { image: o.image, majorVersion: to },
  });
  return true;
}

/** pg_upgrade done: the primary restarts on the new image; replicas are re-cloned from scratch. */
function finishMajorUpgrade(ctx: ClusterContext, o: Observed, job: KubeObject, serial: number): Step {
  ctx.client.delete('Job', o.ns, job.metadata.name!);
  const primary = `${o.name}-${serial}`;
  for (const pvc of o.pvcs) {
    if (pvc.metadata.name !== primary) ctx.client.delete('PersistentVolumeClaim', o.ns, pvc.metadata.name!);
  }
  ctx.startPod(o, serial, 'primary', false);
  const refreshed = ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image);
  ctx.writeStatus(refreshed, {
    pgDataImageInfo: { image: o.image, majorVersion: imageMajor(o.image) ?? 18 },
    targetPgDataImageInfo: undefined,
  });
  return true;
}
