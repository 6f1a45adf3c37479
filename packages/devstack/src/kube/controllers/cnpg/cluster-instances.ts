/**
 * Instance lifecycle: bootstrap and join jobs, pods from PVCs, failover of a lost primary, scaling,
 * offline major upgrades.
 */
import { imageMajor } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject } from '../../types.js';
import { rfc3339Micro } from '../../util/clock.js';
import { type ClusterContext, isReady, type Observed, type Step, serialOf } from './cluster-context.js';
import {
  type BootstrapJobRole,
  bootstrapJobRole,
  instanceJob,
  instancePvc,
  instancePvcRoles,
} from './cluster-objects.js';
import { type RecoverySource, readyRecoverySource, restoreFailure } from './cluster-recovery.js';
import { PHASE } from './cluster-status.js';

export function completeJobs(ctx: ClusterContext, o: Observed): Step {
  const jobs = ctx.client.list('Job', o.ns, { 'cnpg.io/cluster': o.name });
  const failed = jobs.filter(jobFailed);
  if (failed.length > 0) {
    // cluster_controller.go: a job that exhausted its backoff limit makes the cluster unrecoverable.
    ctx.writeStatus(o, {
      phase: PHASE.unrecoverable,
      phaseReason: `Instance creation failed for the following jobs: ${failed.map((j) => j.metadata.name).join(', ')}. Check the job logs to investigate the cause of the failure.`,
    });
    return false;
  }
  const job = jobs[0];
  if (!job) return undefined;
  const instance = job.metadata.labels?.['cnpg.io/instanceName'] ?? '';
  const serial = serialOf(o.name, instance);
  const jobRole = job.metadata.labels?.['cnpg.io/jobRole'];
  if (jobRole === 'major-upgrade') return finishMajorUpgrade(ctx, o, job, serial);
  if (jobRole === 'full-recovery') {
    const failure = restoreFailure(ctx.client, o.cluster, ctx.deps.clock.now());
    if (failure) {
      failJob(ctx, job, failure);
      return true;
    }
  }
  const initdb = jobRole !== 'join';
  ctx.client.delete('Job', o.ns, job.metadata.name!);
  for (const pvc of ctx.client.list('PersistentVolumeClaim', o.ns, { 'cnpg.io/instanceName': instance })) {
    pvc.metadata.annotations = { ...pvc.metadata.annotations, 'cnpg.io/pvcStatus': 'ready' };
    ctx.client.update(pvc);
  }
  const role = initdb ? 'primary' : 'replica';
  const pod = ctx.startPod(o, serial, role, initdb);
  const refreshed = ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image);
  const extra: Record<string, unknown> = {};
  if (initdb) {
    Object.assign(extra, {
      currentPrimary: pod.metadata.name,
      currentPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
      timelineID: 1,
    });
  }
  ctx.writeStatus(refreshed, extra);
  return true;
}

function jobFailed(job: KubeObject): boolean {
  const conditions =
    (asRecord(job.status).conditions as { type: string; status: string }[] | undefined) ?? [];
  return conditions.some((c) => c.type === 'Failed' && c.status === 'True');
}

/** The job's pod exits with the restore error until the backoff limit is reached. */
function failJob(ctx: ClusterContext, job: KubeObject, message: string): void {
  const now = ctx.now();
  const spec = asRecord(job.spec);
  job.status = {
    failed: Number(spec.backoffLimit ?? 6) + 1,
    startTime: asRecord(job.status).startTime ?? now,
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        lastProbeTime: now,
        lastTransitionTime: now,
      },
    ],
  };
  ctx.client.update(job);
  ctx.deps.instanceLogs.manager(
    job.metadata.namespace!,
    job.metadata.name!,
    `Error while restoring a backup: ${message}`,
  );
}

/** The PVCs of a new instance: data, and WAL with spec.walStorage (from snapshots when restoring). */
function createInstancePvcs(
  ctx: ClusterContext,
  o: Observed,
  serial: number,
  role: 'primary' | 'replica',
  source: RecoverySource = {},
): void {
  for (const pvcRole of instancePvcRoles(o.cluster)) {
    const from = pvcRole === 'PG_WAL' ? source.walStorage : source.storage;
    ctx.client.create(instancePvc(o.cluster, o.image, serial, 'initializing', role, pvcRole, from));
  }
}

const PRIMARY_EVENT: Record<BootstrapJobRole, string> = {
  initdb: 'Primary instance (initdb)',
  'full-recovery': 'Primary instance (from backup)',
  'snapshot-recovery': 'Primary instance (from volumeSnapshots)',
  pgbasebackup: 'Primary instance (from physical backup)',
};

export function createPrimary(ctx: ClusterContext, o: Observed): Step {
  if (o.pvcs.length > 0) return undefined;
  const source = readyRecoverySource(ctx.client, ctx.deps.events, o.cluster);
  if (!source) return false;
  const instance = `${o.name}-1`;
  const jobRole: BootstrapJobRole = source.storage ? 'snapshot-recovery' : bootstrapJobRole(o.cluster);
  createInstancePvcs(ctx, o, 1, 'primary', source);
  ctx.deps.events.record(o.cluster, 'Normal', 'CreatingInstance', PRIMARY_EVENT[jobRole]);
  ctx.client.create(instanceJob(o.cluster, o.image, 1, jobRole));
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
    ctx.deps.events.record(
      o.cluster,
      'Normal',
      'FailingOver',
      `Current primary isn't healthy, initiating a failover from ${currentPrimary}`,
    );
    ctx.deps.events.record(
      o.cluster,
      'Normal',
      'FailoverTarget',
      `Failing over from ${currentPrimary} to ${survivor.metadata.name}`,
    );
    ctx.writeStatus(o, {
      targetPrimary: survivor.metadata.name,
      targetPrimaryTimestamp: rfc3339Micro(ctx.deps.clock.now()),
      phase: PHASE.failover,
      phaseReason: `Failing over from ${currentPrimary} to ${survivor.metadata.name}`,
    });
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
  createInstancePvcs(ctx, o, serial, 'replica');
  ctx.client.create(instanceJob(o.cluster, o.image, serial, 'join'));
  ctx.deps.events.record(o.cluster, 'Normal', 'CreatingInstance', `Creating instance ${o.name}-${serial}`);
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
  ctx.deps.events.record(o.cluster, 'Normal', 'ScaleDown', `Scaling down - removing instance: ${instance}`);
  ctx.deletePod(o, instance);
  for (const pvc of ctx.client.list('PersistentVolumeClaim', o.ns, { 'cnpg.io/instanceName': instance })) {
    ctx.client.delete('PersistentVolumeClaim', o.ns, pvc.metadata.name!);
  }
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
  for (const pvc of ctx.client.list('PersistentVolumeClaim', o.ns, { 'cnpg.io/cluster': o.name })) {
    if (pvc.metadata.labels?.['cnpg.io/instanceName'] !== primary) {
      ctx.client.delete('PersistentVolumeClaim', o.ns, pvc.metadata.name!);
    }
  }
  ctx.startPod(o, serial, 'primary', false);
  const refreshed = ctx.observe(ctx.client.get('Cluster', o.ns, o.name)!, o.image);
  ctx.writeStatus(refreshed, {
    pgDataImageInfo: { image: o.image, majorVersion: imageMajor(o.image) ?? 18 },
    targetPgDataImageInfo: undefined,
  });
  return true;
}
