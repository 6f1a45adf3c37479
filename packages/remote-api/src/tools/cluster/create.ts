import { clusterCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Identity, OWNER_LABEL } from '../../identity.js';
import type { Access } from '../../policy.js';
import { reserveCluster } from '../../quota/cluster-quota.js';
import { destinationSpec, objectStoreReference, requireDestinationAllowed } from '../backups/destination.js';
import { defineTool, ToolFailure } from '../context.js';
import type { Observed } from '../framework/references.js';
import {
  imageCatalogReferences,
  imageSpec,
  requireImageChoiceAllowed,
  requireOneImageChoice,
} from './image.js';
import type { ClusterObject } from './model.js';
import {
  type NameClaims,
  operatorSecretReferences,
  readNameClaims,
  requireNameUnclaimed,
} from './name-claims.js';
import { mutation } from './ops.js';
import { requireParametersSettable } from './parameters.js';
import { podMonitorFor, podMonitorsServed } from './pod-monitor.js';
import { requireInstanceQuota, requireStorageQuota } from './quota.js';
import { waitForHealthy } from './wait-healthy.js';

type Args = z.output<typeof clusterCreate.inputSchema>;

/**
 * Pure: the Cluster to create (and its PodMonitor with enable_pod_monitor), or a refusal. Checks,
 * in order: one image choice, the parameters (CloudNativePG's rules, then the policy's), the image
 * or catalog (policy), the per-cluster quotas, then what already names the cluster (Poolers
 * holding its Service names; others' objects it would inherit), and that PodMonitors exist when
 * one is asked for (`podMonitors`: the API serves them). The clustersPerUser quota is reserved by
 * `run` on the ledger.
 */
export function planClusterCreate(
  args: Args,
  seen: { references: Observed; claims: NameClaims; podMonitors?: boolean },
  caller: { access: Access; identity: Identity },
): { cluster: Record<string, unknown>; podMonitor?: Record<string, unknown> } {
  requireOneImageChoice(args, false);
  requireParametersSettable(caller.access, args.parameters ?? {}, args.parameters ?? {}, {
    instances: args.instances,
    walStorageSize: args.wal_storage_size,
  });
  requireImageChoiceAllowed(caller.access, args, seen.references);
  requireInstanceQuota(caller.access, args.instances);
  requireStorageQuota(caller.access, args.instances, args.storage_size, args.wal_storage_size);
  requireNameUnclaimed(args.name, seen.claims, caller.identity.userId);
  if (args.backup_destination)
    requireDestinationAllowed(caller, args.backup_destination, seen.references.backupObjectStore);
  const backups = args.backup_destination ? destinationSpec({}, args.backup_destination) : {};
  if (args.enable_pod_monitor && !seen.podMonitors) {
    throw new ToolFailure(
      'precondition',
      'enable_pod_monitor: this Kubernetes cluster has no PodMonitor kind (monitoring.coreos.com/v1, from the Prometheus Operator); install it, or create the cluster without enable_pod_monitor',
    );
  }

  const database = args.database ?? (args.owner ? 'app' : undefined);
  const affinity = {
    ...(args.affinity ?? {}),
    ...(args.node_selector ? { nodeSelector: args.node_selector } : {}),
    ...(args.tolerations ? { tolerations: args.tolerations } : {}),
  };
  return {
    cluster: {
      metadata: { name: args.name },
      spec: {
        instances: args.instances,
        ...imageSpec(args),
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
        ...(database ? { bootstrap: { initdb: { database, owner: args.owner ?? database } } } : {}),
        ...(Object.keys(affinity).length ? { affinity } : {}),
        ...backups,
        // Pods, volumes, Services and the operator's Secrets carry the owner label too.
        inheritedMetadata: { labels: { [OWNER_LABEL]: caller.identity.userId } },
      },
    },
    ...(args.enable_pod_monitor ? { podMonitor: podMonitorFor(args.name) } : {}),
  };
}

export const clusterCreateTool = defineTool({
  definition: clusterCreate,
  references: {
    ...imageCatalogReferences<Args>(),
    ...operatorSecretReferences<Args>(),
    cluster: { kind: 'Cluster', intent: 'create', role: 'the new cluster', name: (args) => args.name },
    backupObjectStore: objectStoreReference<Args>((args) => args.backup_destination?.object_store),
    podMonitor: {
      kind: 'PodMonitor',
      intent: 'create',
      role: 'the PodMonitor that has the cluster’s metrics scraped',
      name: (args) => (args.enable_pod_monitor ? args.name : undefined),
    },
  },
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const claims = await readNameClaims(ctx, args.name);
    const podMonitors = args.enable_pod_monitor ? await podMonitorsServed(ctx.kube) : undefined;
    const plan = planClusterCreate(args, { references: ctx.seen, claims, podMonitors }, ctx);
    // Counted on the ledger, atomically with every other call and replica; a dry run only decides.
    const reservation = await reserveCluster(
      ctx.quota,
      { identity: ctx.identity, access: ctx.access, kube: ctx.kube },
      { namespace, name: args.name, dryRun: args.dry_run },
    );
    let created: ClusterObject;
    try {
      created = await ctx.write.create<ClusterObject>('Cluster', plan.cluster);
    } catch (error) {
      await reservation.release();
      throw error;
    }
    if (plan.podMonitor) {
      try {
        await ctx.write.create('PodMonitor', plan.podMonitor);
      } catch (error) {
        // Nothing half-made: the cluster goes again, and so does its place in the quota.
        await ctx.write.delete('Cluster', args.name);
        await reservation.release();
        throw error;
      }
    }
    await reservation.confirm();

    const base = mutation(
      namespace,
      args.name,
      'created',
      args.dry_run,
      `cluster ${namespace}/${args.name} created with ${args.instances} instance(s)${plan.podMonitor ? `, metrics scraped through PodMonitor ${args.name}` : ''}`,
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
    const { value: cluster, outcome } = await waitForHealthy(
      ctx,
      args.name,
      args.instances,
      args.wait_timeout_seconds,
    );
    const phase = cluster.status?.phase ?? '';
    const ready = cluster.status?.readyInstances ?? 0;
    const message =
      outcome === 'done'
        ? `cluster ${namespace}/${args.name} is healthy with ${ready}/${args.instances} instances ready`
        : outcome === 'cancelled'
          ? `cluster ${namespace}/${args.name} created; waiting was cancelled at "${phase}" (${ready}/${args.instances} ready)`
          : `cluster ${namespace}/${args.name} created but not healthy after ${args.wait_timeout_seconds}s: "${phase}" (${ready}/${args.instances} ready)`;
    return {
      structured: { ...base, message, phase, readyInstances: ready, waited: true },
      text: message,
    };
  },
});
