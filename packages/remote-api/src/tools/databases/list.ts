import { databaseList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import type { CnpgObject } from '../common/objects.js';
import { defineTool } from '../context.js';
import { appliedState, databasesOf, summarizeDatabase } from './model.js';

/** What database_list shows: the Database objects the caller may read, of one cluster when given. */
export function describeDatabases(
  namespace: string,
  cluster: string | undefined,
  objects: readonly CnpgObject[],
  readable: (object: Labelled) => boolean,
) {
  const databases = objects.filter(readable).map(summarizeDatabase);
  return {
    structured: { namespace, databases },
    text: [
      `${databases.length} database(s) in ${namespace}${cluster ? ` on cluster ${cluster}` : ''}`,
      ...databases.map(
        (d) =>
          `  ${d.cluster}/${d.name}  owner=${d.owner}  reclaim=${d.reclaimPolicy}  ${appliedState(d.applied, d.message)}`,
      ),
    ].join('\n'),
  };
}

export const databaseListTool = defineTool({
  definition: databaseList,
  references: {},
  async run(args, ctx) {
    const objects = await databasesOf(ctx, ctx.namespace, args.cluster);
    return describeDatabases(ctx.namespace, args.cluster, objects, readableFilter(ctx.access, ctx.identity));
  },
});
