import { subscriptionList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import { type CnpgObject, str } from '../common/objects.js';
import { defineTool } from '../context.js';
import { appliedState, logicalObjectsOf, logicalSummary } from './model.js';

/** The subscriptions to show (already of the cluster asked for), readable by the caller. */
export function selectSubscriptions(items: readonly CnpgObject[], readable: (object: Labelled) => boolean) {
  return items.filter(readable).map((o) => ({
    ...logicalSummary('Subscription', o),
    publication: str(o.spec?.publicationName),
    externalCluster: str(o.spec?.externalClusterName),
    publicationDatabase: str(o.spec?.publicationDBName),
  }));
}

/** The list spans the namespace, so nothing is declared; what is listed passes the reads rule. */
export const subscriptionListTool = defineTool({
  definition: subscriptionList,
  references: {},
  async run(args, ctx) {
    const items = await logicalObjectsOf(ctx, 'Subscription', ctx.namespace, args.cluster);
    const subscriptions = selectSubscriptions(items, readableFilter(ctx.access, ctx.identity));
    return {
      structured: { namespace: ctx.namespace, subscriptions },
      text: [
        `${subscriptions.length} subscription(s) in ${ctx.namespace}${args.cluster ? ` on ${args.cluster}` : ''}`,
        ...subscriptions.map(
          (s) =>
            `  ${s.cluster}/${s.database}: ${s.name} ← ${s.externalCluster}/${s.publication}  ${appliedState(s.applied, s.message)}`,
        ),
      ].join('\n'),
    };
  },
});
