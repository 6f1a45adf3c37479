import { publicationCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { mutation } from '../cluster/ops.js';
import { type CnpgObject, derivedName, say } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { logicalCluster, logicalObjectsOf, requireNotDeclared } from './model.js';

type Args = z.output<typeof publicationCreate.inputSchema>;

/**
 * Pure: the Publication to create, or a refusal: neither or both of all_tables and a list of
 * tables/schemas, a column list together with whole schemas, or a publication of that name
 * already declared on the cluster (`existing`: the cluster's Publication objects). The writer
 * makes it a dependent of its Cluster.
 */
export function planPublicationCreate(args: Args, existing: readonly CnpgObject[], namespace: string) {
  const objects = [
    ...(args.tables ?? []).map((t) => ({
      table: {
        schema: t.schema,
        name: t.name,
        ...(t.columns?.length ? { columns: t.columns } : {}),
        ...(t.only !== undefined ? { only: t.only } : {}),
      },
    })),
    ...(args.schemas ?? []).map((schema) => ({ tablesInSchema: schema })),
  ];
  if (args.all_tables === objects.length > 0) {
    throw new ToolFailure(
      'invalid_input',
      'all_tables, tables, schemas: give all_tables=true, or at least one table or schema (not both)',
    );
  }
  const withColumns = (args.tables ?? []).findIndex((t) => t.columns?.length);
  if (withColumns >= 0 && args.schemas?.length) {
    throw new ToolFailure(
      'invalid_input',
      `tables[${withColumns}].columns, schemas: a column list cannot be combined with whole schemas in one publication (CloudNativePG refuses it, as PostgreSQL does); publish the table without columns, or use separate publications`,
    );
  }
  requireNotDeclared('Publication', existing, args, namespace);
  const objectName = derivedName(args.cluster, args.name);
  return {
    objectName,
    body: {
      metadata: { name: objectName, labels: { 'cnpg.io/cluster': args.cluster } },
      spec: {
        cluster: { name: args.cluster },
        name: args.name,
        dbname: args.database,
        target: args.all_tables ? { allTables: true } : { objects },
        ...(args.parameters ? { parameters: args.parameters } : {}),
        publicationReclaimPolicy: args.reclaim_policy,
      },
    },
    message: `publication ${args.name} in ${args.cluster}/${args.database} declared as ${objectName} (${args.all_tables ? 'all tables' : `${objects.length} table(s)/schema(s)`})`,
  };
}

export const publicationCreateTool = defineTool({
  definition: publicationCreate,
  references: {
    cluster: logicalCluster<Args>(),
    publication: {
      kind: 'Publication',
      intent: 'create',
      role: 'the new Publication object',
      name: (args) => derivedName(args.cluster, args.name),
    },
  },
  async run(args, ctx) {
    const existing = await logicalObjectsOf(ctx, 'Publication', ctx.namespace, args.cluster);
    const { objectName, body, message } = planPublicationCreate(args, existing, ctx.namespace);
    const created = await ctx.write.create<KubeObject>('Publication', body);
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
