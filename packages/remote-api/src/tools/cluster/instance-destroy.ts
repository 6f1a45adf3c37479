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

/** What destroying the instance deletes, as declared and read before the call. */
export interface InstanceObjects {
  pod: KubeObject | undefined;
  /** The instance's data and WAL volumes (`<instance>`, `<instance>-wal`) where they exist. */
  volumes: (KubeObject | undefined)[];
}

/**
 * The deletions that destroy a replica: its volumes (unless `keep_pvc`) and its Pod, so the
 * operator creates a new instance. Refuses the primary, and an instance with volumes other than its
 * data and WAL volumes (tablespaces), which this call would otherwise leave behind.
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
  const volumes = args.keep_pvc
    ? []
    : objects.volumes
        .filter((v): v is KubeObject => v !== undefined && belongsToInstance(v, args.name, args.instance))
        .map((v) => v.metadata.name);
  const others = args.keep_pvc ? [] : volumesOfInstance.filter((name) => !volumes.includes(name));
  if (others.length) {
    throw new ToolFailure(
      'precondition',
      `${args.instance} has volumes besides its data and WAL volumes (${others.join(', ')}); only an administrator can remove those, or set keep_pvc to recreate the pod on its volumes`,
    );
  }
  const deleted = [
    ...volumes.map((name) => `persistentvolumeclaim/${name}`),
    ...(objects.pod ? [`pod/${args.instance}`] : []),
  ];
  const where = `${cluster.metadata.namespace ?? ''}/${args.name}`;
  return {
    volumes,
    pod: objects.pod ? args.instance : undefined,
    deleted,
    message: `instance ${args.instance} of ${where} destroyed (${deleted.join(', ') || 'nothing left to delete'}); the operator creates a new instance`,
  };
}

/** One of the instance's volumes, when the call deletes volumes and names an instance of the cluster. */
function volumeReference(role: string, suffix: string): ReferenceSpec<Args> {
  return {
    kind: 'PersistentVolumeClaim',
    intent: 'change',
    optional: true,
    role,
    name: (args) =>
      !args.keep_pvc && isInstanceName(args.name, args.instance) ? `${args.instance}${suffix}` : undefined,
  };
}

export const clusterInstanceDestroyTool = defineTool({
  definition: clusterInstanceDestroy,
  // The Pod and volumes carry the owner label (CloudNativePG copies the Cluster's
  // spec.inheritedMetadata onto them), so each deletion is checked like the Cluster.
  references: {
    cluster: namedCluster<Args>('change'),
    pod: instancePodReference<Args>('change', 'the instance to destroy', (args) => args.instance),
    dataVolume: volumeReference('the data volume of the instance', ''),
    walVolume: volumeReference('the WAL volume of the instance', '-wal'),
  },
  async run(args, ctx) {
    const cluster = seenCluster(ctx.seen);
    const volumesOfInstance = args.keep_pvc
      ? []
      : (await readClusterVolumes(ctx.kube, ctx.namespace, args.name))
          .filter((v) => v.instance === args.instance)
          .map((v) => v.name);
    const plan = planInstanceDestroy(
      args,
      cluster,
      { pod: ctx.seen.pod, volumes: [ctx.seen.dataVolume, ctx.seen.walVolume] },
      volumesOfInstance,
    );
    for (const volume of plan.volumes) await ctx.write.delete('PersistentVolumeClaim', volume);
    if (plan.pod) await ctx.write.delete('Pod', plan.pod);
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'instance-destroyed', args.dry_run, plan.message),
        deleted: plan.deleted,
      },
      text: say(args.dry_run, plan.message),
    };
  },
});
