import { clusterLogs } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { namedCluster } from '../cluster/model.js';
import { kubeCall } from '../common/objects.js';
import { defineTool, ToolFailure } from '../context.js';
import { moreLine, pageOf } from '../framework/page.js';
import { instancePods } from './instance-pods.js';
import { LEVEL_RANK, type LogEntry, parseLogLine } from './log-lines.js';

type Args = z.output<typeof clusterLogs.inputSchema>;

/** The pods whose logs to read: every instance pod, or the one `instance` names (refused when it has none). */
export function podsToRead(args: Args, namespace: string, pods: string[]): string[] {
  if (!args.instance) return pods;
  if (!pods.includes(args.instance)) {
    throw new ToolFailure(
      'not_found',
      `instance "${args.instance}" has no pod in cluster ${namespace}/${args.name} (pods: ${pods.join(', ') || 'none'})`,
    );
  }
  return [args.instance];
}

/** The entries of one pod's log that pass the level, logger and text filters; `scanned` counts every non-empty line. */
export function filterLog(args: Args, pod: string, body: string): { entries: LogEntry[]; scanned: number } {
  let scanned = 0;
  const entries: LogEntry[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    scanned++;
    const entry = parseLogLine(pod, line);
    if (LEVEL_RANK[entry.level] < LEVEL_RANK[args.level]) continue;
    if (args.logger && entry.logger !== args.logger) continue;
    if (args.contains && !entry.message.includes(args.contains)) continue;
    entries.push(entry);
  }
  return { entries, scanned };
}

export const clusterLogsTool = defineTool({
  definition: clusterLogs,
  references: { cluster: namedCluster<Args>('read') },
  async run(args, ctx) {
    const namespace = ctx.namespace;
    const all = (await instancePods(ctx.kube, namespace, args.name)).map((p) => p.metadata?.name ?? '');
    const pods = podsToRead(args, namespace, all);
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
      const read = filterLog(args, pod, String(body ?? ''));
      scanned += read.scanned;
      entries.push(...read.entries);
    }
    entries.sort((a, b) => a.time.localeCompare(b.time));
    // Oldest first, paged from the newest back: the first page is the latest entries.
    const page = pageOf(entries, args, { fromEnd: true });
    return {
      structured: {
        namespace,
        cluster: args.name,
        pods,
        entries: page.items,
        scanned,
        total: page.total,
        continue: page.continue,
      },
      text: [
        `${page.items.length} of ${scanned} log line(s) from ${pods.join(', ') || 'no pods'} (${args.container}, level ≥ ${args.level})${page.continue ? `, the latest ${page.items.length} of ${page.total} matching` : ''}`,
        ...page.items.map(
          (e) => `${e.time} ${e.pod} ${e.level.toUpperCase()} [${e.logger || '-'}] ${e.message}`,
        ),
        moreLine(page).replace('more', 'older'),
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
