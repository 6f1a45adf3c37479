import { clusterCreate } from '@cnpg-mcp/catalog';
import { OWNER_LABEL, ownerMetadata } from '../../identity.js';
import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { requireWritable } from '../../policy.js';
import { pause } from '../common/wait.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import {
  CLUSTERS,
  type ClusterObject,
  imageForMajor,
  OPERATOR_MANAGED_PARAMETERS,
  PHASE_HEALTHY,
} from './model.js';
import { getCluster, mutation, resolveNamespace } from './ops.js';
import { checkClusterCountQuota, checkInstanceQuota, checkStorageQuota } from './quota.js';

export function refuseManagedParameters(names: string[]): void {
  const managed = names.filter((n) => OPERATOR_MANAGED_PARAMETERS.has(n));
  if (managed.length) {
    throw new ToolFailure(
      'invalid_input',
      `parameters: ${managed.join(', ')} ${managed.length === 1 ? 'is' : 'are'} managed by the CloudNativePG operator and cannot be set`,
    );
  }
}

/** At most (or exactly) one way to pick the PostgreSQL image. */
export function imageChoice(
  args: { image?: string | undefined; postgres_major?: number | undefined; image_catalog?: unknown },
  required: boolean,
): void {
  const given = (['image', 'postgres_major', 'image_catalog'] as const).filter((k) => args[k] !== undefined);
  if (given.length > 1) throw new ToolFailure('invalid_input', `${given.join(', ')}: give only one of them`);
  if (required && given.length === 0) {
    throw new ToolFailure('invalid_input', 'image, postgres_major, image_catalog: give exactly one of them');
  }
}

/** Polls the cluster until it is healthy, sending progress; stops on cancellation or timeout. */
async function waitForHealthy(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
  instances: number,
  timeoutSeconds: number,
): Promise<{ cluster: ClusterObject; outcome: 'healthy' | 'timeout' | 'cancelled' }> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const cluster = await getCluster(ctx, namespace, name);
    const ready = cluster.status?.readyInstances ?? 0;
    const phase = cluster.status?.phase ?? 'Pending';
    const line = `${phase}: ${ready}/${instances} instances ready`;
    if (line !== last) {
      await ctx.progress(ready, instances, line);
      last = line;
    }
    if (phase === PHASE_HEALTHY && ready >= instances) return { cluster, outcome: 'healthy' };
    if (ctx.signal.aborted) return { cluster, outcome: 'cancelled' };
    if (Date.now() >= deadline) return { cluster, outcome: 'timeout' };
    await pause(ctx);
    if (ctx.signal.aborted) return { cluster, outcome: 'cancelled' };
  }
}

export const clusterCreateTool = implement(clusterCreate, async (args, ctx) => {
  requireWritable(ctx.access);
  const namespace = resolveNamespace(ctx, args.namespace);
  imageChoice(args, false);
  if (args.parameters) refuseManagedParameters(Object.keys(args.parameters));
  checkInstanceQuota(ctx, args.instances);
  checkStorageQuota(ctx, args.instances, args.storage_size, args.wal_storage_size);
  await checkClusterCountQuota(ctx);

  const owner = ownerMetadata(ctx.identity);
  const database = args.database ?? (args.owner ? 'app' : undefined);
  const dbOwner = args.owner ?? database;
  const affinity = {
    ...(args.affinity ?? {}),
    ...(args.node_selector ? { nodeSelector: args.node_selector } : {}),
    ...(args.tolerations ? { tolerations: args.tolerations } : {}),
  };
  const body = {
    apiVersion: `${CNPG.group}/${CNPG.version}`,
    kind: 'Cluster',
    metadata: { name: args.name, namespace, labels: owner.labels, annotations: owner.annotations },
    spec: {
      instances: args.instances,
      ...(args.image ? { imageName: args.image } : {}),
      ...(args.postgres_major ? { imageName: imageForMajor(args.postgres_major) } : {}),
      ...(args.image_catalog ? { imageCatalogRef: { apiGroup: CNPG.group, ...args.image_catalog } } : {}),
      storage: {
        size: args.storage_size,
        ...(args.storage_class ? { storageClass: args.storage_class } : {}),
      },
      ...(args.wal_storage_size
        ? {
            walStorage: {
              size: args.wal_storage_size,
              ...(args.wal_storage_class ? { storageClass: args.wal_storage_class } : {}),
            },
          }
        : {}),
      ...(args.resources ? { resources: args.resources } : {}),
      ...(args.parameters ? { postgresql: { parameters: args.parameters } } : {}),
      ...(database ? { bootstrap: { initdb: { database, owner: dbOwner } } } : {}),
      ...(Object.keys(affinity).length ? { affinity } : {}),
      ...(args.enable_pod_monitor ? { monitoring: { enablePodMonitor: true } } : {}),
      inheritedMetadata: { labels: { [OWNER_LABEL]: ctx.identity.userId } },
    },
  };
  let created: ClusterObject;
  try {
    created = (await ctx.kube.custom.createNamespacedCustomObject(
      {
        ...CNPG,
        namespace,
        plural: CLUSTERS,
        body,
        fieldManager: 'cnpg-mcp',
        ...(args.dry_run ? { dryRun: 'All' } : {}),
      },
      ctx.kube.options,
    )) as ClusterObject;
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
  const base = mutation(
    namespace,
    args.name,
    'created',
    args.dry_run,
    `cluster ${namespace}/${args.name} created with ${args.instances} instance(s)`,
    created,
  );
  if (args.dry_run || !args.wait) {
    return {
      structured: {
        ...base,
        phase: created.status?.phase ?? '',
        readyInstances: created.status?.readyInstances ?? 0,
        waited: false,
      },
      text: `${base.message}.${args.dry_run ? '' : ' Follow it with cluster_status.'}`,
    };
  }
  const { cluster, outcome } = await waitForHealthy(
    ctx,
    namespace,
    args.name,
    args.instances,
    args.wait_timeout_seconds,
  );
  const phase = cluster.status?.phase ?? '';
  const ready = cluster.status?.readyInstances ?? 0;
  const message =
    outcome === 'healthy'
      ? `cluster ${namespace}/${args.name} is healthy with ${ready}/${args.instances} instances ready`
      : outcome === 'cancelled'
        ? `cluster ${namespace}/${args.name} created; waiting was cancelled at "${phase}" (${ready}/${args.instances} ready)`
        : `cluster ${namespace}/${args.name} created but not healthy after ${args.wait_timeout_seconds}s: "${phase}" (${ready}/${args.instances} ready)`;
  return {
    structured: { ...base, message, phase, readyInstances: ready, waited: true },
    text: message,
  };
});
