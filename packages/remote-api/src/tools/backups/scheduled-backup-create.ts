import { scheduledBackupCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { mutation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { backedUpCluster, backupSpec, summarizeScheduledBackup } from './model.js';

type Args = z.output<typeof scheduledBackupCreate.inputSchema>;

/**
 * The ScheduledBackup to create for `cluster`, checked against its backup configuration. The
 * writer makes it a dependent of the Cluster (owner reference), so it goes when the cluster goes.
 */
export function planScheduledBackupCreate(args: Args, cluster: ClusterObject, namespace: string) {
  const { method, spec } = backupSpec(cluster, args);
  const body: KubeObject = {
    metadata: { name: args.name, labels: { 'cnpg.io/cluster': args.cluster } },
    spec: {
      ...spec,
      schedule: args.schedule,
      immediate: args.immediate,
      suspend: args.suspend,
      backupOwnerReference: args.backup_owner_reference,
    },
  };
  const message = `scheduled backup ${args.name} of ${namespace}/${args.cluster} created: "${args.schedule}" (${method})${args.suspend ? ', suspended' : ''}${args.immediate ? ', first backup now' : ''}`;
  return { body, message };
}

export const scheduledBackupCreateTool = defineTool({
  definition: scheduledBackupCreate,
  references: {
    cluster: backedUpCluster<Args>(),
    schedule: {
      kind: 'ScheduledBackup',
      intent: 'create',
      role: 'the new scheduled backup',
      name: (args) => args.name,
    },
  },
  async run(args, ctx) {
    const { body, message } = planScheduledBackupCreate(args, seenCluster(ctx.seen), ctx.namespace);
    const created = await ctx.write.create<KubeObject>('ScheduledBackup', body);
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'created', args.dry_run, message, created),
        scheduledBackup: summarizeScheduledBackup(created),
      },
      text: say(args.dry_run, message),
    };
  },
});
