import { backupList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import { type CnpgObject, clusterOf, listObjects } from '../common/objects.js';
import { defineTool } from '../context.js';
import { moreLine, pageOf } from '../framework/page.js';
import { describeBackup, summarizeBackup } from './model.js';

/** The backups to show: of `cluster` when given, readable by the caller, newest first. */
export function selectBackups(
  items: readonly CnpgObject[],
  cluster: string | undefined,
  readable: (object: Labelled) => boolean,
) {
  return items
    .filter((b) => (!cluster || clusterOf(b) === cluster) && readable(b))
    .map(summarizeBackup)
    .sort(
      (a, b) =>
        (b.startedAt || b.createdAt).localeCompare(a.startedAt || a.createdAt) ||
        b.name.localeCompare(a.name),
    );
}

export const backupListTool = defineTool({
  definition: backupList,
  references: {},
  async run(args, ctx) {
    const items = await listObjects(ctx, 'backups', ctx.namespace);
    const page = pageOf(selectBackups(items, args.cluster, readableFilter(ctx.access, ctx.identity)), args);
    return {
      structured: {
        namespace: ctx.namespace,
        backups: page.items,
        total: page.total,
        continue: page.continue,
      },
      text: [
        `${page.total} backup(s) in ${ctx.namespace}${args.cluster ? ` of ${args.cluster}` : ''}, newest first`,
        ...page.items.map((b) => `  ${describeBackup(b)}`),
        moreLine(page),
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
