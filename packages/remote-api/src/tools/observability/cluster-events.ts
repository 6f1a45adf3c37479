import { clusterEvents } from '@cnpg-mcp/catalog';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { z } from 'zod';
import { namedCluster } from '../cluster/model.js';
import { type CnpgObject, clusterOf, kubeCall, listObjects } from '../common/objects.js';
import { defineTool } from '../context.js';
import { moreLine, pageOf } from '../framework/page.js';
import { iso } from './instance-pods.js';

type Args = z.output<typeof clusterEvents.inputSchema>;

function eventTime(event: CoreV1Event): string {
  return (
    iso(event.lastTimestamp) ||
    iso(event.eventTime) ||
    iso(event.firstTimestamp) ||
    iso(event.metadata?.creationTimestamp)
  );
}

/**
 * The namespace's events about the cluster, newest first: events of objects named after it (pods,
 * volumes, jobs are `<cluster>-…`) and of its poolers and backups, which may be named anything.
 */
export function eventsAbout(
  args: Args,
  namespace: string,
  events: CoreV1Event[],
  dependents: { poolers: CnpgObject[]; backups: CnpgObject[] },
) {
  const prefixes = [
    args.name,
    ...[...dependents.poolers, ...dependents.backups]
      .filter((o) => clusterOf(o) === args.name)
      .map((o) => o.metadata.name),
  ];
  const about = (name: string) => prefixes.some((p) => name === p || name.startsWith(`${p}-`));
  const matching = events
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
  const page = pageOf(matching, args);
  return {
    structured: {
      namespace,
      cluster: args.name,
      events: page.items,
      total: page.total,
      continue: page.continue,
    },
    text: [
      `${page.items.length} of ${page.total} event(s) about ${namespace}/${args.name}, newest first`,
      ...page.items.map(
        (e) =>
          `  ${e.time}  ${e.type}  ${e.reason}  ${e.object}: ${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`,
      ),
      moreLine(page),
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

export const clusterEventsTool = defineTool({
  definition: clusterEvents,
  references: { cluster: namedCluster<Args>('read') },
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const [events, poolers, backups] = await Promise.all([
      kubeCall(() => ctx.kube.core.listNamespacedEvent({ namespace }, ctx.kube.options)),
      listObjects(ctx, 'poolers', namespace),
      listObjects(ctx, 'backups', namespace),
    ]);
    return eventsAbout(args, namespace, events.items, { poolers, backups });
  },
});
