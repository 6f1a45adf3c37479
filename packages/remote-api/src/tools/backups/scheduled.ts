import {
  scheduledBackupCreate,
  scheduledBackupDelete,
  scheduledBackupList,
  scheduledBackupResume,
  scheduledBackupSuspend,
} from '@cnpg-mcp/catalog';
import { requireOwnership, requireWritable } from '../../policy.js';
import { clusterForChange, mutation, requireConfirmation, resolveNamespace } from '../cluster/ops.js';
import {
  clusterOf,
  createObject,
  deleteObject,
  getObject,
  listObjects,
  patchObject,
  say,
} from '../common/objects.js';
import { implement, type LegacyToolContext } from '../context.js';
import { backupSpec, summarizeScheduledBackup } from './model.js';

const HINT = 'scheduled_backup_list shows what exists';

export const scheduledBackupCreateTool = implement(scheduledBackupCreate, async (args, ctx) => {
  const { namespace, cluster } = await clusterForChange(ctx, {
    namespace: args.namespace,
    name: args.cluster,
  });
  const { method, spec } = backupSpec(cluster, args);
  const created = await createObject(
    ctx,
    'scheduledbackups',
    namespace,
    args.name,
    {
      ...spec,
      schedule: args.schedule,
      immediate: args.immediate,
      suspend: args.suspend,
      backupOwnerReference: args.backup_owner_reference,
    },
    args.dry_run,
    { 'cnpg.io/cluster': args.cluster },
  );
  const message = `scheduled backup ${args.name} of ${namespace}/${args.cluster} created: "${args.schedule}" (${method})${args.suspend ? ', suspended' : ''}${args.immediate ? ', first backup now' : ''}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'created', args.dry_run, message, created),
      scheduledBackup: summarizeScheduledBackup(created),
    },
    text: say(args.dry_run, message),
  };
});

export const scheduledBackupListTool = implement(scheduledBackupList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const scheduledBackups = (await listObjects(ctx, 'scheduledbackups', namespace))
    .filter((s) => !args.cluster || clusterOf(s) === args.cluster)
    .map(summarizeScheduledBackup)
    .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name));
  return {
    structured: { namespace, scheduledBackups },
    text: [
      `${scheduledBackups.length} scheduled backup(s) in ${namespace}${args.cluster ? ` of ${args.cluster}` : ''}`,
      ...scheduledBackups.map(
        (s) =>
          `  ${s.name}  ${s.cluster}  "${s.schedule}"  ${s.method}${s.suspended ? '  SUSPENDED' : ''}${s.lastScheduleTime ? `  last ${s.lastScheduleTime}` : ''}${s.nextScheduleTime ? `  next ${s.nextScheduleTime}` : ''}`,
      ),
    ].join('\n'),
  };
});

async function scheduleForChange(
  ctx: LegacyToolContext,
  args: { namespace?: string | undefined; name: string },
) {
  requireWritable(ctx.access);
  const namespace = resolveNamespace(ctx, args.namespace);
  const object = await getObject(ctx, 'scheduledbackups', namespace, args.name, HINT);
  requireOwnership(ctx.access, ctx.identity, object, `scheduled backup ${namespace}/${args.name}`);
  return { namespace, object };
}

function suspendTool(suspend: boolean) {
  return implement(suspend ? scheduledBackupSuspend : scheduledBackupResume, async (args, ctx) => {
    const { namespace } = await scheduleForChange(ctx, args);
    const patched = await patchObject(
      ctx,
      'scheduledbackups',
      namespace,
      args.name,
      { spec: { suspend } },
      args.dry_run,
    );
    const message = `scheduled backup ${namespace}/${args.name} ${suspend ? 'suspended' : 'resumed'}`;
    return {
      structured: {
        ...mutation(namespace, args.name, suspend ? 'suspended' : 'resumed', args.dry_run, message, patched),
        scheduledBackup: summarizeScheduledBackup(patched),
      },
      text: say(args.dry_run, message),
    };
  });
}

export const scheduledBackupSuspendTool = suspendTool(true);
export const scheduledBackupResumeTool = suspendTool(false);

export const scheduledBackupDeleteTool = implement(scheduledBackupDelete, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'scheduled backup name');
  const { namespace } = await scheduleForChange(ctx, args);
  const deleted = await deleteObject(ctx, 'scheduledbackups', namespace, args.name, args.dry_run);
  const message = `scheduled backup ${namespace}/${args.name} deleted; existing backups are kept unless they were owned by it`;
  return {
    structured: mutation(namespace, args.name, 'deleted', args.dry_run, message, deleted),
    text: say(args.dry_run, message),
  };
});
