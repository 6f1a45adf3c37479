import { clusterList } from '@cnpg-mcp/catalog';
import { CNPG } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { namespaceAllowed, readableFilter } from '../../policy.js';
import { defineTool, type ToolContext } from '../context.js';
import { CLUSTERS, type ClusterObject } from './model.js';
import { summarize } from './ops.js';

async function listIn(ctx: ToolContext, namespace: string | undefined): Promise<ClusterObject[]> {
  try {
    const result = (
      namespace
        ? await ctx.kube.custom.listNamespacedCustomObject(
            { ...CNPG, namespace, plural: CLUSTERS },
            ctx.kube.options,
          )
        : await ctx.kube.custom.listClusterCustomObject({ ...CNPG, plural: CLUSTERS }, ctx.kube.options)
    ) as { items?: ClusterObject[] };
    return result.items ?? [];
  } catch (error) {
    throw translateKubeError(error) ?? error;
  }
}

/**
 * Lists span namespaces, so nothing is declared: the framework checks the namespace argument, and
 * what is listed is filtered by the caller's namespaces and the reads rule.
 */
export const clusterListTool = defineTool({
  definition: clusterList,
  references: {},
  async run(args, ctx) {
    let namespaces: string[];
    let clusters: ClusterObject[];
    if (args.all_namespaces) {
      if (ctx.access.namespaces.includes('*')) {
        namespaces = ['*'];
        clusters = await listIn(ctx, undefined);
      } else {
        namespaces = ctx.access.namespaces;
        clusters = (await Promise.all(namespaces.map((ns) => listIn(ctx, ns)))).flat();
      }
    } else {
      namespaces = [ctx.namespace];
      clusters = await listIn(ctx, ctx.namespace);
    }
    const readable = readableFilter(ctx.access, ctx.identity);
    const summaries = clusters
      .filter((c) => namespaceAllowed(ctx.access, c.metadata.namespace ?? '') && readable(c))
      .map(summarize)
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const header = `${summaries.length} cluster(s) in ${namespaces.includes('*') ? 'all namespaces' : namespaces.join(', ')}`;
    const lines = summaries.map(
      (c) =>
        `${c.namespace}/${c.name}  ${c.readyInstances}/${c.instances} ready  ${c.hibernated ? 'hibernated' : c.phase || 'pending'}  primary=${c.primary || '-'}  age=${c.age}${c.owner ? `  owner=${c.owner}` : ''}`,
    );
    return { structured: { namespaces, clusters: summaries }, text: [header, ...lines].join('\n') };
  },
});
