import { poolerList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import { type CnpgObject, clusterOf, listObjects } from '../common/objects.js';
import { defineTool } from '../context.js';
import { describePooler, readyPoolerPods, summarizePooler } from './model.js';

/** The poolers to show: of `cluster` when given, readable by the caller, by name; `ready`: Ready pods by pooler. */
export function selectPoolers(
  items: readonly CnpgObject[],
  cluster: string | undefined,
  readable: (object: Labelled) => boolean,
  ready: ReadonlyMap<string, number>,
) {
  return items
    .filter((p) => (!cluster || clusterOf(p) === cluster) && readable(p))
    .map((p) => summarizePooler(p, ready.get(p.metadata.name) ?? 0))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The list spans the namespace, so nothing is declared; what is listed passes the reads rule. */
export const poolerListTool = defineTool({
  definition: poolerList,
  references: {},
  async run(args, ctx) {
    const [items, ready] = await Promise.all([
      listObjects(ctx, 'poolers', ctx.namespace),
      readyPoolerPods(ctx.kube, ctx.namespace),
    ]);
    const poolers = selectPoolers(items, args.cluster, readableFilter(ctx.access, ctx.identity), ready);
    return {
      structured: { namespace: ctx.namespace, poolers },
      text: [
        `${poolers.length} pooler(s) in ${ctx.namespace}${args.cluster ? ` for ${args.cluster}` : ''}`,
        ...poolers.map((p) => `  ${describePooler(p)}`),
      ].join('\n'),
    };
  },
});
