import { databaseGet, databaseList } from '@cnpg-mcp/catalog';
import { resolveNamespace } from '../cluster/ops.js';
import { str } from '../common/objects.js';
import { implement } from '../context.js';
import { databasesOf, findDatabase, summarizeDatabase } from './model.js';

const state = (applied: boolean | null, message: string) =>
  applied === true
    ? 'applied'
    : applied === false
      ? `NOT applied${message ? `: ${message}` : ''}`
      : 'pending';

export const databaseListTool = implement(databaseList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const databases = (await databasesOf(ctx, namespace, args.cluster)).map(summarizeDatabase);
  return {
    structured: { namespace, databases },
    text: [
      `${databases.length} database(s) in ${namespace}${args.cluster ? ` on cluster ${args.cluster}` : ''}`,
      ...databases.map(
        (d) =>
          `  ${d.cluster}/${d.name}  owner=${d.owner}  reclaim=${d.reclaimPolicy}  ${state(d.applied, d.message)}`,
      ),
    ].join('\n'),
  };
});

const objectStatuses = (value: unknown) =>
  (Array.isArray(value) ? value : []).map((entry: Record<string, unknown>) => ({
    name: str(entry.name),
    applied: entry.applied === true,
    message: str(entry.message),
  }));

export const databaseGetTool = implement(databaseGet, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const object = await findDatabase(ctx, namespace, args.cluster, args.name);
  const database = summarizeDatabase(object);
  const extensions = objectStatuses(object.status?.extensions);
  const schemas = objectStatuses(object.status?.schemas);
  const spec = object.spec ?? {};
  return {
    structured: { database, spec, extensions, schemas },
    text: [
      `Database ${database.name} on ${namespace}/${database.cluster} (object ${database.objectName}): ${state(database.applied, database.message)}`,
      `  owner ${database.owner}, reclaim policy ${database.reclaimPolicy}${spec.encoding ? `, encoding ${str(spec.encoding)}` : ''}${spec.localeProvider ? `, locale provider ${str(spec.localeProvider)}` : ''}`,
      ...extensions.map((e) => `  extension ${e.name}: ${state(e.applied, e.message)}`),
      ...schemas.map((s) => `  schema ${s.name}: ${state(s.applied, s.message)}`),
    ].join('\n'),
  };
});
