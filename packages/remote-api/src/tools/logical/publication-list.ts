import { publicationList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import type { CnpgObject } from '../common/objects.js';
import { defineTool } from '../context.js';
import { appliedState, logicalObjectsOf, logicalSummary } from './model.js';

/** What a publication targets: "all tables", or its tables and schemas. */
export function publicationTarget(spec: Record<string, unknown>): string {
  const target = (spec.target ?? {}) as {
    allTables?: boolean;
    objects?: { tablesInSchema?: string; table?: { schema?: string; name?: string } }[];
  };
  if (target.allTables) return 'all tables';
  return (target.objects ?? [])
    .map((o) =>
      o.tablesInSchema
        ? `schema ${o.tablesInSchema}`
        : `${o.table?.schema ?? 'public'}.${o.table?.name ?? '?'}`,
    )
    .join(', ');
}

/** The publications to show (already of the cluster asked for), readable by the caller. */
export function selectPublications(items: readonly CnpgObject[], readable: (object: Labelled) => boolean) {
  return items.filter(readable).map((o) => ({
    ...logicalSummary('Publication', o),
    target: publicationTarget(o.spec ?? {}),
  }));
}

/** The list spans the namespace, so nothing is declared; what is listed passes the reads rule. */
export const publicationListTool = defineTool({
  definition: publicationList,
  references: {},
  async run(args, ctx) {
    const items = await logicalObjectsOf(ctx, 'Publication', ctx.namespace, args.cluster);
    const publications = selectPublications(items, readableFilter(ctx.access, ctx.identity));
    return {
      structured: { namespace: ctx.namespace, publications },
      text: [
        `${publications.length} publication(s) in ${ctx.namespace}${args.cluster ? ` on ${args.cluster}` : ''}`,
        ...publications.map(
          (p) =>
            `  ${p.cluster}/${p.database}: ${p.name} (${p.target})  ${appliedState(p.applied, p.message)}`,
        ),
      ].join('\n'),
    };
  },
});
