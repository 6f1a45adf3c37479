import { backupCreate } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type ClusterObject, seenCluster } from '../cluster/model.js';
import { mutation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { waitForBackup } from './follow-backup.js';
import {
  type BackupMethod,
  backedUpCluster,
  backupSpec,
  defaultBackupName,
  summarizeBackup,
} from './model.js';

type Args = z.output<typeof backupCreate.inputSchema>;

const generatedNames = new WeakMap<Args, string>();

/**
 * The new backup's name: the argument, or `<cluster>-<timestamp>` generated once per call (the
 * declared reference and the write must name the same object, even across a second boundary).
 */
export function backupName(args: Args, now = new Date()): string {
  if (args.name) return args.name;
  let name = generatedNames.get(args);
  if (name === undefined) {
    name = defaultBackupName(args.cluster, now);
    generatedNames.set(args, name);
  }
  return name;
}

/** The Backup to create for `cluster`, checked against its backup configuration. */
export function planBackupCreate(
  args: Args,
  cluster: ClusterObject,
  name: string,
): { method: BackupMethod; body: KubeObject } {
  const { method, spec } = backupSpec(cluster, args);
  return { method, body: { metadata: { name, labels: { 'cnpg.io/cluster': args.cluster } }, spec } };
}

export const backupCreateTool = defineTool({
  definition: backupCreate,
  references: {
    cluster: backedUpCluster<Args>(),
    backup: { kind: 'Backup', intent: 'create', role: 'the new backup', name: (args) => backupName(args) },
  },
  async run(args, ctx) {
    const name = backupName(args);
    const { method, body } = planBackupCreate(args, seenCluster(ctx.seen), name);
    const created = await ctx.write.create<KubeObject>('Backup', body);
    const message = `backup ${name} of ${ctx.namespace}/${args.cluster} requested (${method})`;
    const base = mutation(ctx.namespace, name, 'created', args.dry_run, message, created);
    if (args.dry_run || !args.wait) {
      return {
        structured: { ...base, backup: summarizeBackup(created), waited: false },
        text: say(
          args.dry_run,
          `${message}.${args.dry_run ? '' : ' Follow it with backup_wait or backup_get.'}`,
        ),
      };
    }
    const { summary, result } = await waitForBackup(ctx, name, args.wait_timeout_seconds);
    const outcome =
      result === 'completed'
        ? `backup ${name} completed${summary.stoppedAt ? ` at ${summary.stoppedAt}` : ''}`
        : result === 'failed'
          ? `backup ${name} failed (${summary.phase}): ${summary.error || 'no error message'}`
          : `backup ${name} still ${summary.phase || 'pending'}: waiting ${result === 'cancelled' ? 'was cancelled' : `timed out after ${args.wait_timeout_seconds}s`}`;
    return { structured: { ...base, message: outcome, backup: summary, waited: true }, text: outcome };
  },
});
