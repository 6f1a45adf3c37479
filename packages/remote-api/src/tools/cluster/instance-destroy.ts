import { clusterInstanceDestroy } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { ReferenceSpec } from '../framework/references.js';
import { belongsToInstance, instancePodReference, isInstanceName, requireInstance } from './instances.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { mutation, requireConfirmation } from './ops.js';
import { readClusterVolumes } from './shrink-model.js';

type Args = z.output<typeof clusterInstanceDestroy.inputSchema>;

/**
 * The Jobs CloudNativePG runs for an instance, named `<instance>-<role>` (pkg/specs/jobs.go, and
 * the major upgrade's): a Job left behind would make the operator believe the instance is still
 * being built, so destroying an instance deletes them, as `kubectl cnpg destroy` does.
 */
export const INSTANCE_JOB_ROLES = [
  'initdb',
  'import',
  'pgbasebackup',
  'full-recovery',
  'snapshot-recovery',
  'join',
  'major-upgrade',
] as const;

/** What destroying the instance touches, as declared and read before the call. */
export interface InstanceObjects {
  pod: KubeObject | undefined;
  /** The instance's data and WAL volumes (`<instance>`, `<instance>-wal`) where they exist. */
  volumes: (KubeObject | undefined)[];
  /** The instance's Jobs (one per role) where they exist. */
  jobs: (KubeObject | undefined)[];
}

/** A volume kept for later: no longer the Cluster's, marked detached, so the operator builds a new one. */
export interface VolumeDetach {
  name: string;
  patch: Record<string, unknown>;
}

/**
 * The writes that destroy a replica as `kubectl cnpg destroy` does (internal/cmd/plugin/destroy):
 * its Pod, its Jobs, then its volumes — deleted, or with `keep_pvc` detached (the Cluster's owner
 * reference removed, annotated cnpg.io/pvcStatus=detached), so the operator builds a new instance
 * on new volumes and the old ones stay for whoever needs their data. Refuses the primary, and an
 * instance with volumes other than its data and WAL volumes (tablespaces), which this call would
 * otherwise leave half-handled.
 */
export function planInstanceDestroy(
  args: Args,
  cluster: ClusterObject,
  objects: InstanceObjects,
  volumesOfInstance: readonly string[],
) {
  requireConfirmation(args.confirm, args.instance, 'instance name');
  if (args.instance === cluster.status?.currentPrimary) {
    throw new ToolFailure(
      'precondition',
      `${args.instance} is the primary; switch over first (cluster_switchover)`,
    );
  }
  requireInstance(cluster, args.instance, objects.pod);
  const volumes = objects.volumes.filter(
    (v): v is KubeObject => v !== undefined && belongsToInstance(v, args.name, args.instance),
  );
  const others = volumesOfInstance.filter((name) => !volumes.some((v) => v.metadata.name === name));
  if (others.length) {
    throw new ToolFailure(
      'precondition',
      `${args.instance} has volumes besides its data and WAL volumes (${others.join(', ')}); only an administrator can handle those`,
    );
  }
  const jobs = objects.jobs
    .filter((j): j is KubeObject => j !== undefined && belongsToInstance(j, args.name, args.instance))
    .map((j) => j.metadata.name);
  const deleteVolumes = args.keep_pvc ? [] : volumes.map((v) => v.metadata.name);
  const detach = args.keep_pvc
    ? volumes.flatMap((v) => {
        const patch = detachPatch(v, args.name, args.instance);
        return patch ? [{ name: v.metadata.name, patch }] : [];
      })
    : [];
  const deleted = [
    ...(objects.pod ? [`pod/${args.instance}`] : []),
    ...jobs.map((name) => `job/${name}`),
    ...deleteVolumes.map((name) => `persistentvolumeclaim/${name}`),
  ];
  const detached = detach.map((d) => d.name);
  const where = `${cluster.metadata.namespace ?? ''}/${args.name}`;
  const done = [
    deleted.join(', '),
    detached.length ? `volumes ${detached.join(', ')} kept, detached from the cluster` : '',
  ].filter(Boolean);
  return {
    pod: objects.pod ? args.instance : undefined,
    jobs,
    deleteVolumes,
    detach,
    deleted,
    detached,
    message: `instance ${args.instance} of ${where} destroyed (${done.join('; ') || 'nothing left to delete'}); the operator creates a new instance`,
  };
}

/**
 * The merge patch that detaches a volume from its Cluster, made against the version read (a
 * concurrent change fails it rather than being overwritten); undefined when the Cluster does not
 * own it (already detached).
 */
function detachPatch(volume: KubeObject, cluster: string, instance: string) {
  const owners = volume.metadata.ownerReferences ?? [];
  const remaining = owners.filter((o) => !(o.kind === 'Cluster' && o.name === cluster));
  if (remaining.length === owners.length) return undefined;
  return {
    metadata: {
      resourceVersion: volume.metadata.resourceVersion,
      ownerReferences: remaining.length ? remaining : null,
      annotations: { 'cnpg.io/pvcStatus': 'detached' },
      labels: { 'cnpg.io/instanceName': instance },
    },
  };
}

/** One of the instance's volumes, when the call names an instance of the cluster. */
function volumeReference(role: string, suffix: string): ReferenceSpec<Args> {
  return {
    kind: 'PersistentVolumeClaim',
    intent: 'change',
    optional: true,
    role,
    name: (args) => (isInstanceName(args.name, args.instance) ? `${args.instance}${suffix}` : undefined),
  };
}

/** The instance's Job of one role, when the call names an instance of the cluster. */
function jobReference(role: (typeof INSTANCE_JOB_ROLES)[number]): ReferenceSpec<Args> {
  return {
    kind: 'Job',
    intent: 'change',
    optional: true,
    role: `the instance's ${role} job`,
    name: (args) => (isInstanceName(args.name, args.instance) ? `${args.instance}-${role}` : undefined),
  };
}

export const clusterInstanceDestroyTool = defineTool({
  definition: clusterInstanceDestroy,
  // The Pod, Jobs and volumes carry the owner label (CloudNativePG copies the Cluster's
  // spec.inheritedMetadata onto them), so each write is checked like the Cluster.
  references: {
    cluster: namedCluster<Args>('change'),
    pod: instancePodReference<Args>('change', 'the instance to destroy', (args) => args.instance),
    dataVolume: volumeReference('the data volume of the instance', ''),
    walVolume: volumeReference('the WAL volume of the instance', '-wal'),
    ...Object.fromEntries(INSTANCE_JOB_ROLES.map((role) => [`job:${role}`, jobReference(role)])),
  },
  async run(args, ctx) {
    const cluster = seenCluster(ctx.seen);
    const volumesOfInstance = (await readClusterVolumes(ctx.kube, ctx.namespace, args.name))
      .filter((v) => v.instance === args.instance)
      .map((v) => v.name);
    const plan = planInstanceDestroy(
      args,
      cluster,
      {
        pod: ctx.seen.pod,
        volumes: [ctx.seen.dataVolume, ctx.seen.walVolume],
        jobs: INSTANCE_JOB_ROLES.map((role) => ctx.seen[`job:${role}`]),
      },
      volumesOfInstance,
    );
    if (plan.pod) await ctx.write.delete('Pod', plan.pod);
    for (const job of plan.jobs) await ctx.write.delete('Job', job);
    for (const volume of plan.deleteVolumes) await ctx.write.delete('PersistentVolumeClaim', volume);
    for (const { name, patch } of plan.detach) await ctx.write.patch('PersistentVolumeClaim', name, patch);
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'instance-destroyed', args.dry_run, plan.message),
        deleted: plan.deleted,
        detached: plan.detached,
      },
      text: say(args.dry_run, plan.message),
    };
  },
});
