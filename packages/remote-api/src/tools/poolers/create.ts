import { poolerCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Access, type PoolerSettings, requirePoolerSettingsAllowed } from '../../policy.js';
import { requirePoolerNameFree } from '../cluster/name-claims.js';
import { mutation } from '../cluster/ops.js';
import { getObject, listObjects, say } from '../common/objects.js';
import { pollUntil } from '../common/wait.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { POOLER_HINT, readyPoolerPods, summarizePooler } from './model.js';

type Args = z.output<typeof poolerCreate.inputSchema>;

/**
 * Pure: the Pooler to create for `args.cluster`, or a refusal: a name that is an existing
 * cluster's or one of its Services' (`clusters`: the namespace's Clusters; rule names), or PgBouncer
 * settings the policy keeps for admins (rule poolerSettings). The writer makes the Pooler a
 * dependent of its Cluster (owner reference), so it goes when the cluster goes.
 */
export function planPoolerCreate(
  args: Args,
  clusters: readonly Pick<KubeObject, 'metadata'>[],
  caller: { access: Access },
  namespace: string,
) {
  requirePoolerNameFree(args.name, clusters);
  const pgbouncer = {
    poolMode: args.pool_mode,
    ...(args.parameters && Object.keys(args.parameters).length ? { parameters: args.parameters } : {}),
    ...(args.pg_hba?.length ? { pg_hba: args.pg_hba } : {}),
    ...(args.paused ? { paused: true } : {}),
  };
  requirePoolerSettingsAllowed(caller.access, pgbouncer satisfies PoolerSettings);
  return {
    body: {
      metadata: { name: args.name, labels: { 'cnpg.io/cluster': args.cluster } },
      spec: { cluster: { name: args.cluster }, type: args.type, instances: args.instances, pgbouncer },
    },
    message: `pooler ${namespace}/${args.name} (${args.type}, ${args.instances} instance(s), ${args.pool_mode}) created for ${args.cluster}; connect to service ${args.name}:5432`,
  };
}

export const poolerCreateTool = defineTool({
  definition: poolerCreate,
  references: {
    cluster: {
      kind: 'Cluster',
      intent: 'use',
      role: 'the cluster the pooler serves',
      name: (args) => args.cluster,
      hint: 'cluster_list shows what exists',
    },
    pooler: { kind: 'Pooler', intent: 'create', role: 'the new pooler', name: (args) => args.name },
  },
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const clusters = await listObjects(ctx, 'clusters', namespace);
    const plan = planPoolerCreate(args, clusters, ctx, namespace);
    const created = await ctx.write.create<KubeObject>('Pooler', plan.body);
    const { message } = plan;
    const base = mutation(namespace, args.name, 'created', args.dry_run, message, created);
    if (args.dry_run || !args.wait) {
      return {
        structured: { ...base, pooler: summarizePooler(created, 0), waited: false },
        text: say(args.dry_run, message),
      };
    }
    const { value, outcome } = await pollUntil(
      ctx,
      args.wait_timeout_seconds,
      // Ready pods, not status.instances (the Deployment's replicas, counted before they serve).
      async () => {
        const [pooler, ready] = await Promise.all([
          getObject(ctx, 'poolers', namespace, args.name, POOLER_HINT),
          readyPoolerPods(ctx.kube, namespace, args.name),
        ]);
        return summarizePooler(pooler, ready.get(args.name) ?? 0);
      },
      (pooler) => ({
        done:
          pooler.readyInstances >= args.instances &&
          (pooler.phase === '' || pooler.phase === 'active' || pooler.phase === 'paused'),
        progress: pooler.readyInstances,
        total: args.instances,
        line: `pooler ${args.name}: ${pooler.readyInstances}/${args.instances} pods${pooler.phase ? `, ${pooler.phase}` : ''}`,
      }),
    );
    const summary =
      outcome === 'done'
        ? `${message}; ${value.readyInstances}/${args.instances} pods ready`
        : `${message}; ${outcome === 'cancelled' ? 'waiting was cancelled' : `not ready after ${args.wait_timeout_seconds}s`} (${value.readyInstances}/${args.instances} pods)`;
    return { structured: { ...base, message: summary, pooler: value, waited: true }, text: summary };
  },
});
