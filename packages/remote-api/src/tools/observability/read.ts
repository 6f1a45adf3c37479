import { clusterConnectionInfo, clusterEvents, clusterLogs, clusterPods } from '@cnpg-mcp/catalog';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { formatAge } from '../cluster/model.js';
import { getCluster, resolveNamespace } from '../cluster/ops.js';
import { clusterOf, kubeCall, listObjects } from '../common/objects.js';
import { implement, type LegacyToolContext, ToolFailure } from '../context.js';
import { LEVEL_RANK, type LogEntry, parseLogLine } from './log-lines.js';

const iso = (value: Date | string | undefined): string =>
  value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : '';

async function instancePods(ctx: LegacyToolContext, namespace: string, cluster: string): Promise<V1Pod[]> {
  const list = await kubeCall(() =>
    ctx.kube.core.listNamespacedPod(
      { namespace, labelSelector: `cnpg.io/cluster=${cluster},cnpg.io/podRole=instance` },
      ctx.kube.options,
    ),
  );
  return list.items.sort((a, b) =>
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '', 'en', { numeric: true }),
  );
}

function podSummary(pod: V1Pod, primary: string) {
  const name = pod.metadata?.name ?? '';
  const label = pod.metadata?.labels?.['cnpg.io/instanceRole'] ?? pod.metadata?.labels?.role;
  const started = iso(pod.status?.startTime);
  return {
    name,
    role: (label === 'primary' || name === primary
      ? 'primary'
      : label === 'replica'
        ? 'replica'
        : 'unknown') as 'primary' | 'replica' | 'unknown',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    phase: pod.status?.phase ?? '',
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    node: pod.spec?.nodeName ?? '',
    ip: pod.status?.podIP ?? '',
    startedAt: started,
    age: formatAge(started || iso(pod.metadata?.creationTimestamp)),
  };
}

export const clusterPodsTool = implement(clusterPods, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const cluster = await getCluster(ctx, namespace, args.name);
  const pods = (await instancePods(ctx, namespace, args.name)).map((p) =>
    podSummary(p, cluster.status?.currentPrimary ?? ''),
  );
  return {
    structured: { namespace, cluster: args.name, pods },
    text: [
      `${pods.length} instance pod(s) of ${namespace}/${args.name}`,
      ...pods.map(
        (p) =>
          `  ${p.name}  ${p.role}  ${p.ready ? 'ready' : 'NOT ready'}  ${p.phase}${p.restarts ? `  restarts=${p.restarts}` : ''}${p.node ? `  node=${p.node}` : ''}  age=${p.age}`,
      ),
    ].join('\n'),
  };
});

function eventTime(event: CoreV1Event): string {
  return (
    iso(event.lastTimestamp) ||
    iso(event.eventTime) ||
    iso(event.firstTimestamp) ||
    iso(event.metadata?.creationTimestamp)
  );
}

export const clusterEventsTool = implement(clusterEvents, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  await getCluster(ctx, namespace, args.name);
  const [events, poolers, backups] = await Promise.all([
    kubeCall(() => ctx.kube.core.listNamespacedEvent({ namespace }, ctx.kube.options)),
    listObjects(ctx, 'poolers', namespace),
    listObjects(ctx, 'backups', namespace),
  ]);
  // Pods, volumes and jobs are named <cluster>-…; poolers and backups of the cluster may be named anything.
  const prefixes = [
    args.name,
    ...[...poolers, ...backups].filter((o) => clusterOf(o) === args.name).map((o) => o.metadata.name),
  ];
  const about = (name: string) => prefixes.some((p) => name === p || name.startsWith(`${p}-`));
  const matching = events.items
    .filter((e) => about(e.involvedObject?.name ?? '') && (!args.type || e.type === args.type))
    .map((e) => ({
      time: eventTime(e),
      type: e.type ?? '',
      reason: e.reason ?? '',
      object: `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
      message: e.message ?? '',
      count: e.count ?? 1,
    }))
    .sort((a, b) => b.time.localeCompare(a.time));
  const shown = matching.slice(0, args.limit);
  return {
    structured: { namespace, cluster: args.name, events: shown, total: matching.length },
    text: [
      `${shown.length} of ${matching.length} event(s) about ${namespace}/${args.name}, newest first`,
      ...shown.map(
        (e) =>
          `  ${e.time}  ${e.type}  ${e.reason}  ${e.object}: ${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`,
      ),
    ].join('\n'),
  };
});

export const clusterLogsTool = implement(clusterLogs, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  await getCluster(ctx, namespace, args.name);
  let pods = (await instancePods(ctx, namespace, args.name)).map((p) => p.metadata?.name ?? '');
  if (args.instance) {
    if (!pods.includes(args.instance)) {
      throw new ToolFailure(
        'not_found',
        `instance "${args.instance}" has no pod in cluster ${namespace}/${args.name} (pods: ${pods.join(', ') || 'none'})`,
      );
    }
    pods = [args.instance];
  }
  let scanned = 0;
  const entries: LogEntry[] = [];
  for (const pod of pods) {
    if (ctx.signal.aborted) break;
    const body = await kubeCall(() =>
      ctx.kube.core.readNamespacedPodLog(
        {
          namespace,
          name: pod,
          container: args.container,
          tailLines: args.tail,
          ...(args.since_seconds ? { sinceSeconds: args.since_seconds } : {}),
          ...(args.previous ? { previous: true } : {}),
        },
        ctx.kube.options,
      ),
    );
    for (const line of String(body ?? '').split('\n')) {
      if (!line.trim()) continue;
      scanned++;
      const entry = parseLogLine(pod, line);
      if (LEVEL_RANK[entry.level] < LEVEL_RANK[args.level]) continue;
      if (args.logger && entry.logger !== args.logger) continue;
      if (args.contains && !entry.message.includes(args.contains)) continue;
      entries.push(entry);
    }
  }
  entries.sort((a, b) => a.time.localeCompare(b.time));
  return {
    structured: { namespace, cluster: args.name, pods, entries, scanned },
    text: [
      `${entries.length} of ${scanned} log line(s) from ${pods.join(', ') || 'no pods'} (${args.container}, level ≥ ${args.level})`,
      ...entries.map((e) => `${e.time} ${e.pod} ${e.level.toUpperCase()} [${e.logger || '-'}] ${e.message}`),
    ].join('\n'),
  };
});

export const clusterConnectionInfoTool = implement(clusterConnectionInfo, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const cluster = await getCluster(ctx, namespace, args.name);
  const spec = cluster.spec ?? {};
  const initdb = (
    spec.bootstrap as
      | { initdb?: { database?: string; owner?: string; secret?: { name?: string } } }
      | undefined
  )?.initdb;
  const database = initdb?.database ?? 'app';
  const user = initdb?.owner ?? database;
  const disabled = new Set(
    (spec.managed as { services?: { disabledDefaultServices?: string[] } } | undefined)?.services
      ?.disabledDefaultServices ?? [],
  );
  const host = (service: string) => `${service}.${namespace}.svc`;
  const endpoints = [
    { service: `${args.name}-rw`, purpose: 'read-write (primary)', kind: 'rw' },
    { service: `${args.name}-ro`, purpose: 'read-only (replicas)', kind: 'ro' },
    { service: `${args.name}-r`, purpose: 'read (any instance)', kind: 'r' },
  ]
    .filter((e) => !disabled.has(e.kind))
    .map(({ service, purpose }) => ({ service, host: host(service), port: 5432, purpose }));
  const poolers = (await listObjects(ctx, 'poolers', namespace)).filter((p) => clusterOf(p) === args.name);
  for (const pooler of poolers) {
    const type = typeof pooler.spec?.type === 'string' ? pooler.spec.type : 'rw';
    endpoints.push({
      service: pooler.metadata.name,
      host: host(pooler.metadata.name),
      port: 5432,
      purpose: `PgBouncer pooler (${type})`,
    });
  }
  const superuserSecretName =
    spec.enableSuperuserAccess === true
      ? ((spec.superuserSecret as { name?: string } | undefined)?.name ?? `${args.name}-superuser`)
      : '';
  const certificates = cluster.status?.certificates as { serverCASecret?: string } | undefined;
  const structured = {
    namespace,
    cluster: args.name,
    endpoints,
    database,
    user,
    secretName: initdb?.secret?.name ?? `${args.name}-app`,
    superuserSecretName,
    uri: `postgresql://${user}@${host(`${args.name}-rw`)}:5432/${database}?sslmode=require`,
    ca: certificates?.serverCASecret ?? `${args.name}-ca`,
  };
  return {
    structured,
    text: [
      `Connect to ${namespace}/${args.name}: database ${database}, user ${user}, port 5432`,
      ...endpoints.map((e) => `  ${e.host}  ${e.purpose}`),
      `Password: key "password" of Secret ${structured.secretName} (credential_reveal returns it, audited).`,
      `URI without password: ${structured.uri}`,
      superuserSecretName ? `Superuser Secret: ${superuserSecretName}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
});
