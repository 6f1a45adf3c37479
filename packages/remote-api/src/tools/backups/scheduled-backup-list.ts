import { scheduledBackupList } from '@cnpg-mcp/catalog';
import { type Labelled, readableFilter } from '../../policy.js';
import { type CnpgObject, clusterOf, listObjects } from '../common/objects.js';
import { defineTool } from '../context.js';
import { summarizeScheduledBackup } from './model.js';

/** The schedules to show: of `cluster` when given, readable by the caller, by cluster then name. */
export function selectScheduledBackups(
  items: readonly CnpgObject[],
  cluster: string | undefined,
  readable: (object: Labelled) => boolean,
) {
  return items
    .filter((s) => (!cluster || clusterOf(s) === cluster) && readable(s))
    .map(summarizeScheduledBackup)
    .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name));
}

export const scheduledBackupListTool = defineTool({
  definition: scheduledBackupList,
  references: {},
  async run(args, ctx) {
    const items = await listObjects(ctx, 'scheduledbackups', ctx.namespace);
    const scheduledBackups = selectScheduledBackups(
      items,
      args.cluster,
      readableFilter(ctx.access, ctx.identity),
    );
    return {
      structured: { namespace: ctx.namespace, scheduledBackups },
      text: [
        `${scheduledBackups.length} scheduled backup(s) in ${ctx.namespace}${args.cluster ? ` of ${args.cluster}` : ''}`,
        ...scheduledBackups.map(
          (s) =>
            `  ${s.name}  ${s.cluster}  "${s.schedule}"  ${s.method}${s.suspended ? '  SUSPENDED' : ''}${s.lastScheduleTime ? `  last ${s.lastScheduleTime}` : ''}${s.nextScheduleTime ? `  next ${s.nextScheduleTime}` : ''}`,
        ),
      ].join('\n'),
    };
  },
});
