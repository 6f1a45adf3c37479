import { databaseGet } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { str } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import {
  appliedState,
  databaseCluster,
  databaseNotDeclared,
  declaredDatabase,
  summarizeDatabase,
} from './model.js';

type Args = z.output<typeof databaseGet.inputSchema>;

const objectStatuses = (value: unknown) =>
  (Array.isArray(value) ? value : []).map((entry: Record<string, unknown>) => ({
    name: str(entry.name),
    applied: entry.applied === true,
    message: str(entry.message),
  }));

/** What database_get shows of a Database object: its summary, spec, and each extension's and schema's status. */
export function describeDatabase(args: Args, object: KubeObject | undefined, namespace: string) {
  if (!object) throw databaseNotDeclared(args.name, namespace, args.cluster);
  const database = summarizeDatabase(object);
  const extensions = objectStatuses(object.status?.extensions);
  const schemas = objectStatuses(object.status?.schemas);
  const spec = object.spec ?? {};
  return {
    structured: { database, spec, extensions, schemas },
    text: [
      `Database ${database.name} on ${namespace}/${database.cluster} (object ${database.objectName}): ${appliedState(database.applied, database.message)}`,
      `  owner ${database.owner}, reclaim policy ${database.reclaimPolicy}${spec.encoding ? `, encoding ${str(spec.encoding)}` : ''}${spec.localeProvider ? `, locale provider ${str(spec.localeProvider)}` : ''}`,
      ...extensions.map((e) => `  extension ${e.name}: ${appliedState(e.applied, e.message)}`),
      ...schemas.map((s) => `  schema ${s.name}: ${appliedState(s.applied, s.message)}`),
    ].join('\n'),
  };
}

export const databaseGetTool = defineTool({
  definition: databaseGet,
  references: { cluster: databaseCluster<Args>('read'), database: declaredDatabase<Args>('read') },
  async run(args, ctx) {
    return describeDatabase(args, ctx.seen.database, ctx.namespace);
  },
});
