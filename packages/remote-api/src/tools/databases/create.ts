import { databaseCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type Access, requireExtensionsAllowed } from '../../policy.js';
import { mutation } from '../cluster/ops.js';
import { type CnpgObject, derivedName } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import {
  databaseCluster,
  databaseDeclaring,
  databasesOf,
  extensionEntries,
  refuseDuplicates,
  schemaEntries,
} from './model.js';
import { answerOrWait } from './wait.js';

type Args = z.output<typeof databaseCreate.inputSchema>;

function checkLocale(args: Args): void {
  if (args.builtin_locale && args.locale_provider !== 'builtin') {
    throw new ToolFailure('invalid_input', 'builtin_locale: needs locale_provider "builtin"');
  }
  for (const field of ['icu_locale', 'icu_rules'] as const) {
    if (args[field] && args.locale_provider !== 'icu') {
      throw new ToolFailure('invalid_input', `${field}: needs locale_provider "icu"`);
    }
  }
}

const defined = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

/**
 * Pure: the Database object to create, or a refusal: locale options that need another provider,
 * the same extension or schema twice, an extension the policy keeps for admins, or a database the
 * cluster already declares (`existing`: the Database objects of the namespace).
 */
export function planDatabaseCreate(
  args: Args,
  existing: readonly CnpgObject[],
  namespace: string,
  access: Access,
) {
  checkLocale(args);
  refuseDuplicates('extensions', args.extensions);
  requireExtensionsAllowed(access, args.extensions);
  refuseDuplicates('schemas', args.schemas);
  const declared = databaseDeclaring(existing, args.cluster, args.name);
  if (declared) {
    throw new ToolFailure(
      'precondition',
      `database "${args.name}" is already declared on ${namespace}/${args.cluster} by ${declared.metadata.name}; use database_update`,
    );
  }
  const objectName = derivedName(args.cluster, args.name);
  const spec = defined({
    cluster: { name: args.cluster },
    name: args.name,
    owner: args.owner,
    ensure: 'present',
    databaseReclaimPolicy: args.reclaim_policy,
    encoding: args.encoding,
    template: args.template,
    localeProvider: args.locale_provider,
    locale: args.locale,
    localeCollate: args.lc_collate,
    localeCType: args.lc_ctype,
    icuLocale: args.icu_locale,
    icuRules: args.icu_rules,
    builtinLocale: args.builtin_locale,
    connectionLimit: args.connection_limit,
    allowConnections: args.allow_connections,
    isTemplate: args.is_template,
    tablespace: args.tablespace,
    extensions: args.extensions ? extensionEntries(args.extensions) : undefined,
    schemas: args.schemas ? schemaEntries(args.schemas) : undefined,
  });
  return {
    objectName,
    body: { metadata: { name: objectName, labels: { 'cnpg.io/cluster': args.cluster } }, spec },
  };
}

export const databaseCreateTool = defineTool({
  definition: databaseCreate,
  references: {
    cluster: databaseCluster<Args>('use'),
    database: {
      kind: 'Database',
      intent: 'create',
      role: 'the new Database object',
      name: (args) => derivedName(args.cluster, args.name),
    },
  },
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const existing = await databasesOf(ctx, namespace, args.cluster);
    const { objectName, body } = planDatabaseCreate(args, existing, namespace, ctx.access);
    const object = await ctx.write.create('Database', body);
    const message = `database ${args.name} (owner ${args.owner}) declared on ${namespace}/${args.cluster} as Database ${objectName}`;
    const base = {
      ...mutation(namespace, args.name, 'created', args.dry_run, message, object),
      cluster: args.cluster,
      objectName,
    };
    return answerOrWait(
      ctx,
      args,
      objectName,
      base,
      message,
      'The instance manager of the primary creates it (database_get shows the status).',
    );
  },
});
