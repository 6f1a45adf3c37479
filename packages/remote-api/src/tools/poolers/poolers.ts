import {
  poolerCreate,
  poolerDelete,
  poolerGet,
  poolerList,
  poolerScale,
  poolerUpdate,
} from '@cnpg-mcp/catalog';
import { OWNER_LABEL } from '../../identity.js';
import { translateKubeError } from '../../kube/errors.js';
import { requireOwnership, requireWritable } from '../../policy.js';
import {
  clusterForChange,
  getCluster,
  mutation,
  requireConfirmation,
  resolveNamespace,
} from '../cluster/ops.js';
import {
  type CnpgObject,
  clusterOf,
  createObject,
  deleteObject,
  getObject,
  listObjects,
  num,
  patchObject,
  say,
  str,
} from '../common/objects.js';
import { pollUntil } from '../common/wait.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';

const HINT = 'pooler_list shows what exists';

export function summarizePooler(object: CnpgObject) {
  const spec = object.spec ?? {};
  const pgbouncer = (spec.pgbouncer ?? {}) as {
    poolMode?: string;
    paused?: boolean;
    parameters?: Record<string, string>;
  };
  const status = object.status ?? {};
  return {
    name: object.metadata.name,
    cluster: clusterOf(object),
    type: str(spec.type) || 'rw',
    instances: num(spec.instances, 1),
    readyInstances: num(status.instances, 0),
    poolMode: pgbouncer.poolMode ?? 'session',
    paused: pgbouncer.paused === true,
    phase: str(status.phase),
    service: object.metadata.name,
    parameters: pgbouncer.parameters ?? {},
    owner: object.metadata.labels?.[OWNER_LABEL] ?? '',
  };
}

type PoolerSummary = ReturnType<typeof summarizePooler>;
const describe = (p: PoolerSummary) =>
  `${p.name}  → ${p.cluster} (${p.type})  ${p.readyInstances}/${p.instances} pods  ${p.poolMode}${p.paused ? '  PAUSED' : ''}${p.phase ? `  ${p.phase}` : ''}`;

export const poolerListTool = implement(poolerList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const poolers = (await listObjects(ctx, 'poolers', namespace))
    .filter((p) => !args.cluster || clusterOf(p) === args.cluster)
    .map(summarizePooler)
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    structured: { namespace, poolers },
    text: [
      `${poolers.length} pooler(s) in ${namespace}${args.cluster ? ` for ${args.cluster}` : ''}`,
      ...poolers.map((p) => `  ${describe(p)}`),
    ].join('\n'),
  };
});

export const poolerGetTool = implement(poolerGet, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const object = await getObject(ctx, 'poolers', namespace, args.name, HINT);
  const pooler = summarizePooler(object);
  const params = Object.entries(pooler.parameters).map(([k, v]) => `${k}=${v}`);
  return {
    structured: { pooler, phaseReason: str(object.status?.phaseReason), status: object.status ?? {} },
    text: [
      `Pooler ${describe(pooler)}`,
      `  service ${pooler.service}.${namespace}:5432`,
      params.length ? `  parameters ${params.join(', ')}` : '',
      object.status?.phaseReason ? `  reason: ${str(object.status.phaseReason)}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
});

export const poolerCreateTool = implement(poolerCreate, async (args, ctx) => {
  const { namespace } = await clusterForChange(ctx, { namespace: args.namespace, name: args.cluster });
  // CloudNativePG refuses a pooler named like a cluster; say so before writing anything.
  const clash = await getCluster(ctx, namespace, args.name).then(
    () => true,
    (error: unknown) => {
      if (error instanceof ToolFailure && error.kind === 'not_found') return false;
      throw translateKubeError(error) ?? error;
    },
  );
  if (clash)
    throw new ToolFailure(
      'invalid_input',
      `name: "${args.name}" is the name of a cluster; a pooler needs another name`,
    );
  const spec = {
    cluster: { name: args.cluster },
    type: args.type,
    instances: args.instances,
    pgbouncer: {
      poolMode: args.pool_mode,
      ...(args.parameters && Object.keys(args.parameters).length ? { parameters: args.parameters } : {}),
      ...(args.paused ? { paused: true } : {}),
    },
  };
  const created = await createObject(ctx, 'poolers', namespace, args.name, spec, args.dry_run, {
    'cnpg.io/cluster': args.cluster,
  });
  const message = `pooler ${namespace}/${args.name} (${args.type}, ${args.instances} instance(s), ${args.pool_mode}) created for ${args.cluster}; connect to service ${args.name}:5432`;
  const base = mutation(namespace, args.name, 'created', args.dry_run, message, created);
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, pooler: summarizePooler(created), waited: false },
      text: say(args.dry_run, message),
    };
  }
  const { value, outcome } = await pollUntil(
    ctx,
    args.wait_timeout_seconds,
    async () => summarizePooler(await getObject(ctx, 'poolers', namespace, args.name, HINT)),
    (pooler) => ({
      done:
        pooler.readyInstances >= args.instances &&
        (pooler.phase === '' || pooler.phase === 'active' || pooler.phase === 'paused'),
      progress: pooler.readyInstances,
      total: args.instances,
      line: `pooler ${args.name}: ${pooler.readyInstances}/${args.instances} pods${pooler.phase ? `, ${pooler.phase}` : ''}`,
    }),
  );
  const summary =
    outcome === 'done'
      ? `${message}; ${value.readyInstances}/${args.instances} pods ready`
      : `${message}; ${outcome === 'cancelled' ? 'waiting was cancelled' : `not ready after ${args.wait_timeout_seconds}s`} (${value.readyInstances}/${args.instances} pods)`;
  return { structured: { ...base, message: summary, pooler: value, waited: true }, text: summary };
});

async function poolerForChange(
  ctx: LegacyToolContext,
  args: { namespace?: string | undefined; name: string },
) {
  requireWritable(ctx.access);
  const namespace = resolveNamespace(ctx, args.namespace);
  const object = await getObject(ctx, 'poolers', namespace, args.name, HINT);
  requireOwnership(ctx.access, ctx.identity, object, `pooler ${namespace}/${args.name}`);
  return { namespace, object };
}

export const poolerUpdateTool = implement(poolerUpdate, async (args, ctx) => {
  const pgbouncer: Record<string, unknown> = {
    ...(args.pool_mode ? { poolMode: args.pool_mode } : {}),
    ...(args.parameters && Object.keys(args.parameters).length ? { parameters: args.parameters } : {}),
    ...(args.paused !== undefined ? { paused: args.paused } : {}),
  };
  const changed = Object.keys(pgbouncer);
  if (changed.length === 0)
    throw new ToolFailure('invalid_input', '(arguments): give pool_mode, parameters or paused');
  const { namespace } = await poolerForChange(ctx, args);
  const patched = await patchObject(
    ctx,
    'poolers',
    namespace,
    args.name,
    { spec: { pgbouncer } },
    args.dry_run,
  );
  const message = `pooler ${namespace}/${args.name} updated: ${changed.join(', ')}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'updated', args.dry_run, message, patched),
      pooler: summarizePooler(patched),
    },
    text: say(args.dry_run, message),
  };
});

export const poolerScaleTool = implement(poolerScale, async (args, ctx) => {
  const { namespace, object } = await poolerForChange(ctx, args);
  const previous = num(object.spec?.instances, 1);
  const patched = await patchObject(
    ctx,
    'poolers',
    namespace,
    args.name,
    { spec: { instances: args.instances } },
    args.dry_run,
  );
  const message = `pooler ${namespace}/${args.name} scaled from ${previous} to ${args.instances} instance(s)`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'scaled', args.dry_run, message, patched),
      previousInstances: previous,
      instances: args.instances,
    },
    text: say(args.dry_run, message),
  };
});

export const poolerDeleteTool = implement(poolerDelete, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'pooler name');
  const { namespace } = await poolerForChange(ctx, args);
  const deleted = await deleteObject(ctx, 'poolers', namespace, args.name, args.dry_run);
  const message = `pooler ${namespace}/${args.name} deleted with its pods and service`;
  return {
    structured: mutation(namespace, args.name, 'deleted', args.dry_run, message, deleted),
    text: say(args.dry_run, message),
  };
});
