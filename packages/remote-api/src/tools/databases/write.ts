import { databaseCreate, databaseDelete, databaseUpdate } from '@cnpg-mcp/catalog';
import { requireOwnership } from '../../policy.js';
import { clusterForChange, mutation, requireConfirmation, retryOnConflict } from '../cluster/ops.js';
import {
  appliedOf,
  createObject,
  deleteObject,
  derivedName,
  listObjects,
  patchObject,
  say,
} from '../common/objects.js';
import { waitApplied, waitSummary } from '../common/wait.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import {
  databasesOf,
  extensionEntries,
  findDatabase,
  mergeByName,
  type NamedEntry,
  refuseDuplicates,
  schemaEntries,
} from './model.js';

function checkLocale(args: {
  locale_provider?: string | undefined;
  icu_locale?: string | undefined;
  icu_rules?: string | undefined;
  builtin_locale?: string | undefined;
}): void {
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

export const databaseCreateTool = implement(databaseCreate, async (args, ctx) => {
  checkLocale(args);
  refuseDuplicates('extensions', args.extensions);
  refuseDuplicates('schemas', args.schemas);
  const { namespace } = await clusterForChange(ctx, { namespace: args.namespace, name: args.cluster });
  const existing = (await databasesOf(ctx, namespace, args.cluster)).find((d) => d.spec?.name === args.name);
  if (existing) {
    throw new ToolFailure(
      'precondition',
      `database "${args.name}" is already declared on ${namespace}/${args.cluster} by ${existing.metadata.name}; use database_update`,
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
  const object = await createObject(ctx, 'databases', namespace, objectName, spec, args.dry_run, {
    'cnpg.io/cluster': args.cluster,
  });
  const message = `database ${args.name} (owner ${args.owner}) declared on ${namespace}/${args.cluster} as Database ${objectName}`;
  const base = {
    ...mutation(namespace, args.name, 'created', args.dry_run, message, object),
    cluster: args.cluster,
    objectName,
  };
  return finish(
    ctx,
    args,
    namespace,
    objectName,
    base,
    message,
    'The instance manager of the primary creates it (database_get shows the status).',
  );
});

/** Returns at once, or waits until the instance manager reconciled the current generation. */
async function finish(
  ctx: LegacyToolContext,
  args: { name: string; dry_run: boolean; wait: boolean; wait_timeout_seconds: number },
  namespace: string,
  objectName: string,
  base: Record<string, unknown>,
  message: string,
  hint: string,
) {
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, applied: null, waited: false },
      text: say(args.dry_run, hint ? `${message}. ${hint}` : message),
    };
  }
  const what = `database ${args.name}`;
  const result = await waitApplied(ctx, args.wait_timeout_seconds, what, async () => {
    // Listed rather than read: the deployed RBAC grants list (not get) on databases.
    const object = (await listObjects(ctx, 'databases', namespace)).find(
      (d) => d.metadata.name === objectName,
    );
    if (!object) throw new ToolFailure('not_found', `Database ${objectName} disappeared while waiting`);
    const current = (object.status?.observedGeneration ?? 0) === (object.metadata.generation ?? 0);
    return {
      applied: current ? appliedOf(object.status) : null,
      message: typeof object.status?.message === 'string' ? object.status.message : '',
    };
  });
  const summary = `${message}; ${waitSummary(what, result, args.wait_timeout_seconds)}`;
  return { structured: { ...base, message: summary, applied: result.applied, waited: true }, text: summary };
}

async function databaseForChange(
  ctx: LegacyToolContext,
  args: { namespace?: string | undefined; cluster: string; name: string },
) {
  const { namespace } = await clusterForChange(ctx, { namespace: args.namespace, name: args.cluster });
  const object = await findDatabase(ctx, namespace, args.cluster, args.name);
  requireOwnership(ctx.access, ctx.identity, object, `Database ${namespace}/${object.metadata.name}`);
  return { namespace, object };
}

export const databaseUpdateTool = implement(databaseUpdate, async (args, ctx) => {
  refuseDuplicates('extensions', args.extensions);
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
  const { namespace, object: first } = await databaseForChange(ctx, args);
  const objectName = first.metadata.name;
  const patched = await retryOnConflict(async () => {
    const current =
      (await databasesOf(ctx, namespace, args.cluster)).find((d) => d.metadata.name === objectName) ?? first;
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
    return patchObject(
      ctx,
      'databases',
      namespace,
      objectName,
      { metadata: { resourceVersion: current.metadata.resourceVersion }, spec },
      args.dry_run,
    );
  });
  const message = `database ${args.name} on ${namespace}/${args.cluster} updated: ${changed.join(', ')}`;
  const base = {
    ...mutation(namespace, args.name, 'updated', args.dry_run, message, patched),
    cluster: args.cluster,
    objectName,
    changed,
  };
  return finish(ctx, args, namespace, objectName, base, message, '');
});

export const databaseDeleteTool = implement(databaseDelete, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'database name');
  const { namespace, object } = await databaseForChange(ctx, args);
  const objectName = object.metadata.name;
  const dropped = args.drop || object.spec?.databaseReclaimPolicy === 'delete';
  if (args.drop && object.spec?.databaseReclaimPolicy !== 'delete') {
    await patchObject(
      ctx,
      'databases',
      namespace,
      objectName,
      { spec: { databaseReclaimPolicy: 'delete' } },
      args.dry_run,
    );
  }
  const deleted = await deleteObject(ctx, 'databases', namespace, objectName, args.dry_run);
  const message = `Database ${objectName} deleted; PostgreSQL database ${args.name} ${dropped ? 'is dropped' : 'is kept (unmanaged)'}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'deleted', args.dry_run, message, deleted),
      cluster: args.cluster,
      objectName,
      dropped,
    },
    text: say(args.dry_run, message),
  };
});
