import { databaseUpdate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { retryOnConflict } from '../../kube/conflict-retry.js';
import { type Access, requireExtensionsAllowed } from '../../policy.js';
import { mutation } from '../cluster/ops.js';
import { defineTool, ToolFailure } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import {
  databaseCluster,
  databaseNotDeclared,
  databasesOf,
  declaredDatabase,
  extensionEntries,
  mergeByName,
  type NamedEntry,
  refuseDuplicates,
  schemaEntries,
} from './model.js';
import { answerOrWait } from './wait.js';

type Args = z.output<typeof databaseUpdate.inputSchema>;

const defined = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

/**
 * Pure: what the call changes (scalar settings, and whether extensions and schemas are merged),
 * or a refusal: the same extension or schema twice, an extension the policy keeps for admins,
 * nothing to change, no such database.
 */
export function planDatabaseUpdate(
  args: Args,
  database: KubeObject | undefined,
  namespace: string,
  access: Access,
) {
  refuseDuplicates('extensions', args.extensions);
  requireExtensionsAllowed(access, args.extensions);
  refuseDuplicates('schemas', args.schemas);
  const scalar = defined({
    owner: args.owner,
    connectionLimit: args.connection_limit,
    allowConnections: args.allow_connections,
    isTemplate: args.is_template,
    tablespace: args.tablespace,
    databaseReclaimPolicy: args.reclaim_policy,
  });
  const changed = [
    ...Object.keys(scalar),
    ...(args.extensions ? ['extensions'] : []),
    ...(args.schemas ? ['schemas'] : []),
  ];
  if (changed.length === 0)
    throw new ToolFailure('invalid_input', '(arguments): give at least one thing to change');
  if (!database) throw databaseNotDeclared(args.name, namespace, args.cluster);
  return { database, scalar, changed };
}

/**
 * Pure: the conditional merge patch of the Database object as it is now: the scalar settings,
 * and extensions and schemas merged by name with those declared (a merge patch replaces lists).
 */
export function databasePatch(args: Args, scalar: Record<string, unknown>, current: KubeObject) {
  const spec: Record<string, unknown> = { ...scalar };
  if (args.extensions) {
    spec.extensions = mergeByName(
      (current.spec?.extensions as NamedEntry[]) ?? [],
      extensionEntries(args.extensions),
    );
  }
  if (args.schemas) {
    spec.schemas = mergeByName((current.spec?.schemas as NamedEntry[]) ?? [], schemaEntries(args.schemas));
  }
  return { metadata: { resourceVersion: current.metadata.resourceVersion }, spec };
}

export const databaseUpdateTool = defineTool({
  definition: databaseUpdate,
  references: { cluster: databaseCluster<Args>('use'), database: declaredDatabase<Args>('change') },
  async run(args, ctx) {
    const plan = planDatabaseUpdate(args, ctx.seen.database, ctx.namespace, ctx.access);
    const { scalar, changed } = plan;
    const objectName = plan.database.metadata.name;
    const reread = async () =>
      ((await databasesOf(ctx, ctx.namespace, args.cluster)).find(
        (d) => d.metadata.uid === plan.database.metadata.uid,
      ) as KubeObject | undefined) ?? plan.database;
    let attempt = 0;
    // A conflict means the object changed since it was read: read it again and merge again.
    const patched = await retryOnConflict(
      async () => {
        const current = attempt++ === 0 ? plan.database : await reread();
        return ctx.write.patch('Database', objectName, databasePatch(args, scalar, current));
      },
      { signal: ctx.signal },
    );
    const message = `database ${args.name} on ${ctx.namespace}/${args.cluster} updated: ${changed.join(', ')}`;
    const base = {
      ...mutation(ctx.namespace, args.name, 'updated', args.dry_run, message, patched),
      cluster: args.cluster,
      objectName,
      changed,
    };
    return answerOrWait(ctx, args, objectName, base, message, '');
  },
});
