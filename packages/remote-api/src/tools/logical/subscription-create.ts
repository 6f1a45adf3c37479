import { subscriptionCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { ClusterObject } from '../cluster/model.js';
import { seenCluster } from '../cluster/model.js';
import { mutation } from '../cluster/ops.js';
import { type CnpgObject, derivedName, say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { logicalCluster, logicalObjectsOf, requireNotDeclared } from './model.js';

type Args = z.output<typeof subscriptionCreate.inputSchema>;

/**
 * Pure: the Subscription to create, or a refusal: an external cluster the (caller's) cluster does
 * not declare in spec.externalClusters, or a subscription of that name already declared on it
 * (`existing`: the cluster's Subscription objects). The writer makes it a dependent of its Cluster.
 */
export function planSubscriptionCreate(
  args: Args,
  cluster: ClusterObject,
  existing: readonly CnpgObject[],
  namespace: string,
) {
  const externals = (Array.isArray(cluster.spec?.externalClusters) ? cluster.spec.externalClusters : []) as {
    name?: string;
  }[];
  if (!externals.some((e) => e.name === args.external_cluster)) {
    throw new ToolFailure(
      'precondition',
      `external_cluster: "${args.external_cluster}" is not in spec.externalClusters of ${args.cluster} (declared: ${externals.map((e) => e.name).join(', ') || 'none'})`,
    );
  }
  requireNotDeclared('Subscription', existing, args, namespace);
  const objectName = derivedName(args.cluster, args.name);
  return {
    objectName,
    body: {
      metadata: { name: objectName, labels: { 'cnpg.io/cluster': args.cluster } },
      spec: {
        cluster: { name: args.cluster },
        name: args.name,
        dbname: args.database,
        publicationName: args.publication,
        externalClusterName: args.external_cluster,
        ...(args.publication_database ? { publicationDBName: args.publication_database } : {}),
        ...(args.parameters ? { parameters: args.parameters } : {}),
        subscriptionReclaimPolicy: args.reclaim_policy,
      },
    },
    message: `subscription ${args.name} in ${args.cluster}/${args.database} to publication ${args.publication} of ${args.external_cluster} declared as ${objectName}`,
  };
}

export const subscriptionCreateTool = defineTool({
  definition: subscriptionCreate,
  references: {
    cluster: logicalCluster<Args>(),
    subscription: {
      kind: 'Subscription',
      intent: 'create',
      role: 'the new Subscription object',
      name: (args) => derivedName(args.cluster, args.name),
    },
  },
  async run(args, ctx) {
    const existing = await logicalObjectsOf(ctx, 'Subscription', ctx.namespace, args.cluster);
    const { objectName, body, message } = planSubscriptionCreate(
      args,
      seenCluster(ctx.seen),
      existing,
      ctx.namespace,
    );
    const created = await ctx.write.create<KubeObject>('Subscription', body);
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'created', args.dry_run, message, created),
        cluster: args.cluster,
        objectName,
      },
      text: say(args.dry_run, message),
    };
  },
});
