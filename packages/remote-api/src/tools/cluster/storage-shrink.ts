import { clusterStorageShrink, parseQuantity } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { Access } from '../../policy.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';
import type { Observed, References } from '../framework/references.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { getCluster, mutation, requireConfirmation } from './ops.js';
import { requireInstanceQuota, requireStorageQuota } from './quota.js';
import {
  type ClusterVolume,
  planShrink,
  readClusterVolumes,
  SHRINK_ORIGINAL_INSTANCES,
  SHRINK_TARGET,
  type ShrinkPlan,
  shrinkStatusFields,
} from './shrink-model.js';
import {
  DISABLED_UNTIL_ANNOTATION,
  disabledValidation,
  RESTORE_VALIDATION,
  VALIDATION_ANNOTATION,
  validationState,
} from './validation-bypass.js';

type Args = z.output<typeof clusterStorageShrink.inputSchema>;
type Body = Record<string, unknown>;

/** What one call writes, by step. */
export type ShrinkWrite =
  | { step: 'start'; patch: Body; disabledUntil: string; performed: string }
  | { step: 'wait'; performed: string }
  | { step: 'switchover'; statusPatch: Body; performed: string }
  | { step: 'destroy'; instance: string; volumes: string[]; performed: string }
  | { step: 'finish'; patch: Body; performed: string };

/**
 * Pure: the next step of the shrink for this call, from the cluster and its volumes. Starting
 * adds one instance for the duration (counted against the per-cluster quotas) and switches
 * admission validation off for that one write, recording until when; `restoreFirst` says an
 * earlier bypass is past its time and must be switched back on before anything else.
 */
export function planShrinkCall(
  args: Pick<Args, 'storage_size'>,
  cluster: ClusterObject,
  volumes: readonly ClusterVolume[],
  access: Access,
  now: number,
): { plan: ShrinkPlan; restoreFirst: boolean; write: ShrinkWrite } {
  const plan = planShrink(cluster, volumes);
  const restoreFirst = validationState(cluster, now).overdue;
  if (plan.inProgress && plan.targetSize !== args.storage_size) {
    throw new ToolFailure(
      'precondition',
      `a shrink to ${plan.targetSize} is in progress; finish it first (storage_size ${plan.targetSize})`,
    );
  }
  const done = (write: ShrinkWrite) => ({ plan, restoreFirst, write });
  switch (plan.step) {
    case 'start': {
      const current = cluster.spec?.storage?.size ?? '';
      if ((parseQuantity(args.storage_size) ?? 0) >= (parseQuantity(current) ?? 0)) {
        throw new ToolFailure(
          'invalid_input',
          `storage_size: ${args.storage_size} is not smaller than the current ${current}; use cluster_storage_grow`,
        );
      }
      const instances = cluster.spec?.instances ?? 1;
      const why = 'the guided shrink adds one instance while it runs: ';
      requireInstanceQuota(access, instances + 1, why);
      requireStorageQuota(access, instances + 1, args.storage_size, cluster.spec?.walStorage?.size, why);
      const bypass = disabledValidation(now);
      return done({
        step: 'start',
        disabledUntil: bypass[DISABLED_UNTIL_ANNOTATION]!,
        patch: {
          metadata: {
            annotations: {
              [SHRINK_TARGET]: args.storage_size,
              [SHRINK_ORIGINAL_INSTANCES]: String(instances),
              ...bypass,
            },
          },
          spec: { storage: { size: args.storage_size }, instances: instances + 1 },
        },
        performed: `started: new volumes are ${args.storage_size}; added instance ${instances + 1} at that size`,
      });
    }
    case 'wait':
      return done({ step: 'wait', performed: 'nothing yet (waiting)' });
    case 'switchover':
      return done({
        step: 'switchover',
        statusPatch: {
          metadata: { resourceVersion: cluster.metadata.resourceVersion },
          status: {
            targetPrimary: plan.subject,
            targetPrimaryTimestamp: new Date(now).toISOString().replace('Z', '000Z'),
            phase: 'Switchover in progress',
            phaseReason: `Switching over to ${plan.subject}`,
          },
        },
        performed: `switchover to ${plan.subject} requested`,
      });
    case 'destroy': {
      const own = volumes.filter((v) => v.instance === plan.subject);
      const other = own.filter((v) => v.role !== 'PG_DATA' && v.role !== 'PG_WAL');
      if (other.length > 0) {
        throw new ToolFailure(
          'precondition',
          `${plan.subject} has volumes the guided shrink does not recreate (${other.map((v) => v.name).join(', ')}); shrink this cluster by hand`,
        );
      }
      return done({
        step: 'destroy',
        instance: plan.subject,
        volumes: own.map((v) => v.name).sort(),
        performed: `destroyed ${plan.subject} and its volumes; the operator recreates it at ${plan.targetSize}`,
      });
    }
    default:
      return done({
        step: 'finish',
        patch: {
          metadata: {
            annotations: {
              [SHRINK_TARGET]: null,
              [SHRINK_ORIGINAL_INSTANCES]: null,
              [VALIDATION_ANNOTATION]: null,
              [DISABLED_UNTIL_ANNOTATION]: null,
            },
          },
          spec: { instances: plan.originalInstances },
        },
        performed: `finished: scaled back to ${plan.originalInstances} instance(s)`,
      });
  }
}

/** The data volume of the replica this call would destroy, found the way `run` plans (undefined in other steps). */
async function volumeToDestroy(args: Args, seen: Observed, kube: KubeReads): Promise<string | undefined> {
  const cluster = seen.cluster as ClusterObject | undefined;
  if (!cluster) return undefined;
  const volumes = await readClusterVolumes(kube, cluster.metadata.namespace ?? '', args.name);
  const plan = planShrink(cluster, volumes);
  if (plan.step !== 'destroy') return undefined;
  return volumes.find((v) => v.instance === plan.subject && v.role === 'PG_DATA')?.name;
}

const instanceOf = (volume: KubeObject | undefined) =>
  volume ? (volume.metadata.labels?.['cnpg.io/instanceName'] ?? volume.metadata.name) : undefined;

const references: References<Args> = {
  cluster: namedCluster<Args>('change'),
  dataVolume: {
    kind: 'PersistentVolumeClaim',
    intent: 'change',
    optional: true,
    role: 'data volume of the replica to recreate',
    name: volumeToDestroy,
  },
  walVolume: {
    kind: 'PersistentVolumeClaim',
    intent: 'change',
    optional: true,
    role: 'WAL volume of the replica to recreate',
    name: (_args, seen) => {
      const instance = instanceOf(seen.dataVolume);
      return instance ? `${instance}-wal` : undefined;
    },
  },
  pod: {
    kind: 'Pod',
    intent: 'change',
    optional: true,
    role: 'the replica to recreate',
    name: (_args, seen) => instanceOf(seen.dataVolume),
  },
};

export const clusterStorageShrinkTool = defineTool({
  definition: clusterStorageShrink,
  references,
  async run(args, ctx) {
    requireConfirmation(args.confirm, args.name, 'cluster name');
    const now = Date.now();
    const volumes = await readClusterVolumes(ctx.kube, ctx.namespace, args.name);
    const { plan, restoreFirst, write } = planShrinkCall(
      args,
      seenCluster(ctx.seen),
      volumes,
      ctx.access,
      now,
    );
    // The switchover is conditional on the version planned from; restoring validation first moves
    // it on, so the restore is conditional too and the switchover follows from what it returned.
    let version = seenCluster(ctx.seen).metadata.resourceVersion;
    if (restoreFirst) {
      const restored = await ctx.write.patch<ClusterObject>('Cluster', args.name, {
        metadata: { ...RESTORE_VALIDATION.metadata, resourceVersion: version },
      });
      version = restored.metadata.resourceVersion;
    }
    let object: ClusterObject | undefined;
    switch (write.step) {
      case 'start':
        object = await ctx.write.patch<ClusterObject>('Cluster', args.name, write.patch);
        if (!args.dry_run) {
          try {
            object = await ctx.write.patch<ClusterObject>('Cluster', args.name, RESTORE_VALIDATION);
          } catch (error) {
            throw new ToolFailure(
              'precondition',
              `the shrink started, but switching admission validation back on failed (${(error as Error).message}); it stays off until ${write.disabledUntil} at most: the next cluster_storage_shrink, cluster_storage_shrink_status or cluster_status call after that switches it back on`,
            );
          }
        }
        break;
      case 'switchover':
        object = await ctx.write.patch<ClusterObject>(
          'Cluster',
          args.name,
          { ...write.statusPatch, metadata: { resourceVersion: version } },
          { subresource: 'status' },
        );
        break;
      case 'destroy': {
        const declared = [ctx.seen.dataVolume, ctx.seen.walVolume].flatMap((v) =>
          v ? [v.metadata.name] : [],
        );
        if (declared.sort().join() !== write.volumes.join()) {
          throw new ToolFailure(
            'precondition',
            `the volumes of ${write.instance} changed during this call; call cluster_storage_shrink again`,
          );
        }
        for (const volume of declared) await ctx.write.delete('PersistentVolumeClaim', volume);
        if (ctx.seen.pod) await ctx.write.delete('Pod', write.instance);
        break;
      }
      case 'finish':
        object = await ctx.write.patch<ClusterObject>('Cluster', args.name, write.patch);
        break;
      default:
        break;
    }
    const afterCluster = args.dry_run
      ? seenCluster(ctx.seen)
      : await getCluster(ctx, ctx.namespace, args.name);
    const after = args.dry_run
      ? plan
      : planShrink(afterCluster, await readClusterVolumes(ctx.kube, ctx.namespace, args.name));
    const next =
      !args.dry_run && write.step === 'finish'
        ? { ...after, step: 'done' as const, nextStep: 'nothing: the shrink is complete' }
        : after;
    const state = validationState(afterCluster, now);
    const validation = {
      disabled: state.disabled,
      disabledUntil: state.disabledUntil,
      restored: restoreFirst && !args.dry_run,
    };
    const message = `storage shrink of ${ctx.namespace}/${args.name}: ${write.performed}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, `shrink-${plan.step}`, args.dry_run, message, object),
        ...shrinkStatusFields(next),
        validation,
        performed: write.performed,
      },
      text: `${args.dry_run ? 'Dry run: ' : ''}${message}\nNext: ${next.nextStep}`,
    };
  },
});
