import {
  publicationCreate,
  publicationDelete,
  publicationList,
  subscriptionCreate,
  subscriptionDelete,
  subscriptionList,
} from '@cnpg-mcp/catalog';
import { OWNER_LABEL } from '../../identity.js';
import { requireOwnership } from '../../policy.js';
import { clusterForChange, mutation, requireConfirmation, resolveNamespace } from '../cluster/ops.js';
import {
  appliedOf,
  type CnpgObject,
  type CnpgPlural,
  clusterOf,
  createObject,
  deleteObject,
  derivedName,
  listObjects,
  patchObject,
  say,
  str,
} from '../common/objects.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';

type Kind = 'publication' | 'subscription';
const PLURAL: Record<Kind, CnpgPlural> = { publication: 'publications', subscription: 'subscriptions' };
const RECLAIM: Record<Kind, string> = {
  publication: 'publicationReclaimPolicy',
  subscription: 'subscriptionReclaimPolicy',
};

async function objectsOf(ctx: LegacyToolContext, kind: Kind, namespace: string, cluster?: string) {
  return (await listObjects(ctx, PLURAL[kind], namespace))
    .filter((o) => !cluster || clusterOf(o) === cluster)
    .sort(
      (a, b) =>
        clusterOf(a).localeCompare(clusterOf(b)) || str(a.spec?.name).localeCompare(str(b.spec?.name)),
    );
}

function common(kind: Kind, object: CnpgObject) {
  const spec = object.spec ?? {};
  return {
    objectName: object.metadata.name,
    cluster: clusterOf(object),
    name: str(spec.name),
    database: str(spec.dbname),
    reclaimPolicy: str(spec[RECLAIM[kind]]) || 'retain',
    applied: appliedOf(object.status),
    message: str(object.status?.message),
    owner: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

function publicationTarget(spec: Record<string, unknown>): string {
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

const state = (applied: boolean | null, message: string) =>
  applied === true
    ? 'applied'
    : applied === false
      ? `NOT applied${message ? `: ${message}` : ''}`
      : 'pending';

export const publicationListTool = implement(publicationList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const publications = (await objectsOf(ctx, 'publication', namespace, args.cluster)).map((o) => ({
    ...common('publication', o),
    target: publicationTarget(o.spec ?? {}),
  }));
  return {
    structured: { namespace, publications },
    text: [
      `${publications.length} publication(s) in ${namespace}${args.cluster ? ` on ${args.cluster}` : ''}`,
      ...publications.map(
        (p) => `  ${p.cluster}/${p.database}: ${p.name} (${p.target})  ${state(p.applied, p.message)}`,
      ),
    ].join('\n'),
  };
});

export const subscriptionListTool = implement(subscriptionList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const subscriptions = (await objectsOf(ctx, 'subscription', namespace, args.cluster)).map((o) => ({
    ...common('subscription', o),
    publication: str(o.spec?.publicationName),
    externalCluster: str(o.spec?.externalClusterName),
    publicationDatabase: str(o.spec?.publicationDBName),
  }));
  return {
    structured: { namespace, subscriptions },
    text: [
      `${subscriptions.length} subscription(s) in ${namespace}${args.cluster ? ` on ${args.cluster}` : ''}`,
      ...subscriptions.map(
        (s) =>
          `  ${s.cluster}/${s.database}: ${s.name} ← ${s.externalCluster}/${s.publication}  ${state(s.applied, s.message)}`,
      ),
    ].join('\n'),
  };
});

/** Checks and creates a Publication or Subscription named `<cluster>-<name>`. */
async function createLogical(
  ctx: LegacyToolContext,
  kind: Kind,
  args: { namespace?: string | undefined; cluster: string; name: string; dry_run: boolean },
  spec: Record<string, unknown>,
  check?: (cluster: { spec?: Record<string, unknown> }) => void,
) {
  const { namespace, cluster } = await clusterForChange(ctx, {
    namespace: args.namespace,
    name: args.cluster,
  });
  check?.(cluster);
  const existing = (await objectsOf(ctx, kind, namespace, args.cluster)).find(
    (o) => o.spec?.name === args.name,
  );
  if (existing) {
    throw new ToolFailure(
      'precondition',
      `${kind} "${args.name}" is already declared on ${namespace}/${args.cluster} by ${existing.metadata.name}`,
    );
  }
  const objectName = derivedName(args.cluster, args.name);
  const created = await createObject(
    ctx,
    PLURAL[kind],
    namespace,
    objectName,
    { cluster: { name: args.cluster }, name: args.name, ...spec },
    args.dry_run,
    { 'cnpg.io/cluster': args.cluster },
  );
  return { namespace, objectName, created };
}

export const publicationCreateTool = implement(publicationCreate, async (args, ctx) => {
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
  const { namespace, objectName, created } = await createLogical(ctx, 'publication', args, {
    dbname: args.database,
    target: args.all_tables ? { allTables: true } : { objects },
    ...(args.parameters ? { parameters: args.parameters } : {}),
    publicationReclaimPolicy: args.reclaim_policy,
  });
  const message = `publication ${args.name} in ${args.cluster}/${args.database} declared as ${objectName} (${args.all_tables ? 'all tables' : `${objects.length} table(s)/schema(s)`})`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'created', args.dry_run, message, created),
      cluster: args.cluster,
      objectName,
    },
    text: say(args.dry_run, message),
  };
});

export const subscriptionCreateTool = implement(subscriptionCreate, async (args, ctx) => {
  const { namespace, objectName, created } = await createLogical(
    ctx,
    'subscription',
    args,
    {
      dbname: args.database,
      publicationName: args.publication,
      externalClusterName: args.external_cluster,
      ...(args.publication_database ? { publicationDBName: args.publication_database } : {}),
      ...(args.parameters ? { parameters: args.parameters } : {}),
      subscriptionReclaimPolicy: args.reclaim_policy,
    },
    (cluster) => {
      const externals = (
        Array.isArray(cluster.spec?.externalClusters) ? cluster.spec.externalClusters : []
      ) as { name?: string }[];
      if (!externals.some((e) => e.name === args.external_cluster)) {
        throw new ToolFailure(
          'precondition',
          `external_cluster: "${args.external_cluster}" is not in spec.externalClusters of ${args.cluster} (declared: ${externals.map((e) => e.name).join(', ') || 'none'})`,
        );
      }
    },
  );
  const message = `subscription ${args.name} in ${args.cluster}/${args.database} to publication ${args.publication} of ${args.external_cluster} declared as ${objectName}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'created', args.dry_run, message, created),
      cluster: args.cluster,
      objectName,
    },
    text: say(args.dry_run, message),
  };
});

function deleteTool(kind: Kind) {
  return implement(kind === 'publication' ? publicationDelete : subscriptionDelete, async (args, ctx) => {
    requireConfirmation(args.confirm, args.name, `${kind} name`);
    const { namespace } = await clusterForChange(ctx, { namespace: args.namespace, name: args.cluster });
    const object = (await objectsOf(ctx, kind, namespace, args.cluster)).find(
      (o) => o.spec?.name === args.name,
    );
    if (!object) {
      throw new ToolFailure(
        'not_found',
        `${kind} "${args.name}" is not declared on ${namespace}/${args.cluster}; ${kind}_list shows what exists`,
      );
    }
    const objectName = object.metadata.name;
    requireOwnership(ctx.access, ctx.identity, object, `${kind} ${namespace}/${objectName}`);
    if (args.drop && object.spec?.[RECLAIM[kind]] !== 'delete') {
      await patchObject(
        ctx,
        PLURAL[kind],
        namespace,
        objectName,
        { spec: { [RECLAIM[kind]]: 'delete' } },
        args.dry_run,
      );
    }
    const deleted = await deleteObject(ctx, PLURAL[kind], namespace, objectName, args.dry_run);
    const message = `${kind} ${args.name} on ${namespace}/${args.cluster} deleted (${objectName})${args.drop ? ' and dropped in PostgreSQL' : '; kept in PostgreSQL'}`;
    return {
      structured: {
        ...mutation(namespace, args.name, 'deleted', args.dry_run, message, deleted),
        cluster: args.cluster,
        objectName,
      },
      text: say(args.dry_run, message),
    };
  });
}

export const publicationDeleteTool = deleteTool('publication');
export const subscriptionDeleteTool = deleteTool('subscription');
