import { backupCreate, backupDelete, backupGet, backupList, backupWait } from '@cnpg-mcp/catalog';
import { requireOwnership, requireWritable } from '../../policy.js';
import {
  clusterForChange,
  mutation,
  requireConfirmation,
  resolveNamespace,
  withoutManagedFields,
} from '../cluster/ops.js';
import {
  type CnpgObject,
  clusterOf,
  createObject,
  deleteObject,
  getObject,
  listObjects,
  say,
  str,
} from '../common/objects.js';
import { pollUntil } from '../common/wait.js';
import { implement, type LegacyToolContext } from '../context.js';
import { backupProgress, backupSpec, defaultBackupName, summarizeBackup, TERMINAL_PHASES } from './model.js';

const HINT = 'backup_list shows what exists';

/** Waits for a backup to reach a terminal phase, reporting each phase as progress (0–4). */
async function waitForBackup(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
  timeoutSeconds: number,
) {
  const { value, outcome } = await pollUntil(
    ctx,
    timeoutSeconds,
    () => getObject(ctx, 'backups', namespace, name, HINT),
    (backup) => {
      const phase = str(backup.status?.phase) || 'pending';
      return {
        done: TERMINAL_PHASES.has(phase),
        progress: backupProgress(phase),
        total: 4,
        line: `backup ${name}: ${phase}`,
      };
    },
  );
  const summary = summarizeBackup(value);
  const result =
    outcome === 'done'
      ? summary.phase === 'completed'
        ? 'completed'
        : 'failed'
      : outcome === 'cancelled'
        ? 'cancelled'
        : 'timeout';
  return { summary, result: result as 'completed' | 'failed' | 'timeout' | 'cancelled' };
}

function describe(b: ReturnType<typeof summarizeBackup>): string {
  return `${b.name}  ${b.cluster}  ${b.method}  ${b.phase || 'new'}${b.startedAt ? `  started ${b.startedAt}` : ''}${b.stoppedAt ? `  stopped ${b.stoppedAt}` : ''}${b.error ? `  error: ${b.error}` : ''}`;
}

export const backupCreateTool = implement(backupCreate, async (args, ctx) => {
  const { namespace, cluster } = await clusterForChange(ctx, {
    namespace: args.namespace,
    name: args.cluster,
  });
  const { method, spec } = backupSpec(cluster, args);
  const name = args.name ?? defaultBackupName(args.cluster);
  const created = await createObject(ctx, 'backups', namespace, name, spec, args.dry_run, {
    'cnpg.io/cluster': args.cluster,
  });
  const message = `backup ${name} of ${namespace}/${args.cluster} requested (${method})`;
  const base = mutation(namespace, name, 'created', args.dry_run, message, created);
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, backup: summarizeBackup(created), waited: false },
      text: say(
        args.dry_run,
        `${message}.${args.dry_run ? '' : ' Follow it with backup_wait or backup_get.'}`,
      ),
    };
  }
  const { summary, result } = await waitForBackup(ctx, namespace, name, args.wait_timeout_seconds);
  const outcome =
    result === 'completed'
      ? `backup ${name} completed${summary.stoppedAt ? ` at ${summary.stoppedAt}` : ''}`
      : result === 'failed'
        ? `backup ${name} failed (${summary.phase}): ${summary.error || 'no error message'}`
        : `backup ${name} still ${summary.phase || 'pending'}: waiting ${result === 'cancelled' ? 'was cancelled' : `timed out after ${args.wait_timeout_seconds}s`}`;
  return { structured: { ...base, message: outcome, backup: summary, waited: true }, text: outcome };
});

export const backupListTool = implement(backupList, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const items = await listObjects(ctx, 'backups', namespace);
  const backups = items
    .filter((b) => !args.cluster || clusterOf(b) === args.cluster)
    .map(summarizeBackup)
    .sort(
      (a, b) =>
        (b.startedAt || b.createdAt).localeCompare(a.startedAt || a.createdAt) ||
        b.name.localeCompare(a.name),
    );
  return {
    structured: { namespace, backups },
    text: [
      `${backups.length} backup(s) in ${namespace}${args.cluster ? ` of ${args.cluster}` : ''}, newest first`,
      ...backups.map((b) => `  ${describe(b)}`),
    ].join('\n'),
  };
});

export const backupGetTool = implement(backupGet, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  const object = await getObject(ctx, 'backups', namespace, args.name, HINT);
  const backup = summarizeBackup(object);
  const status = object.status ?? {};
  const structured = {
    backup,
    destinationPath: str(status.destinationPath),
    beginWal: str(status.beginWal),
    endWal: str(status.endWal),
    ...(args.detail === 'detailed'
      ? { status: withoutManagedFields(object as CnpgObject).status ?? {} }
      : {}),
  };
  return {
    structured,
    text: [
      `Backup ${describe(backup)}`,
      backup.beginLSN || backup.endLSN ? `  LSN ${backup.beginLSN || '?'} → ${backup.endLSN || '?'}` : '',
      structured.destinationPath ? `  destination ${structured.destinationPath}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
});

export const backupWaitTool = implement(backupWait, async (args, ctx) => {
  const namespace = resolveNamespace(ctx, args.namespace);
  await getObject(ctx, 'backups', namespace, args.name, HINT);
  const { summary, result } = await waitForBackup(ctx, namespace, args.name, args.timeout_seconds);
  return {
    structured: { backup: summary, outcome: result },
    text: `backup ${args.name}: ${result}${summary.error ? ` (${summary.error})` : ''}; phase ${summary.phase || 'pending'}`,
  };
});

export const backupDeleteTool = implement(backupDelete, async (args, ctx) => {
  requireConfirmation(args.confirm, args.name, 'backup name');
  requireWritable(ctx.access);
  const namespace = resolveNamespace(ctx, args.namespace);
  const object = await getObject(ctx, 'backups', namespace, args.name, HINT);
  requireOwnership(ctx.access, ctx.identity, object, `backup ${namespace}/${args.name}`);
  const deleted = await deleteObject(ctx, 'backups', namespace, args.name, args.dry_run);
  const message = `backup ${namespace}/${args.name} deleted (object-store data follows its retention policy)`;
  return {
    structured: mutation(namespace, args.name, 'deleted', args.dry_run, message, deleted),
    text: say(args.dry_run, message),
  };
});
