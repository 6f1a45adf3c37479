import { getObject, str } from '../common/objects.js';
import { pollUntil, type WaitOutcome } from '../common/wait.js';
import type { ToolContext } from '../context.js';
import { BACKUP_HINT, backupProgress, summarizeBackup, TERMINAL_PHASES } from './model.js';

export type BackupWaitResult = 'completed' | 'failed' | 'timeout' | 'cancelled';

/** How waiting for a backup ended: a terminal phase is completed or failed; otherwise why it stopped. */
export function backupWaitResult(outcome: WaitOutcome, phase: string): BackupWaitResult {
  if (outcome === 'done') return phase === 'completed' ? 'completed' : 'failed';
  return outcome === 'cancelled' ? 'cancelled' : 'timeout';
}

/** Waits for a backup to reach a terminal phase, reporting each phase as progress (0–4). */
export async function waitForBackup(
  ctx: Pick<ToolContext, 'kube' | 'namespace' | 'signal' | 'config' | 'progress'>,
  name: string,
  timeoutSeconds: number,
): Promise<{ summary: ReturnType<typeof summarizeBackup>; result: BackupWaitResult }> {
  const { value, outcome } = await pollUntil(
    ctx,
    timeoutSeconds,
    () => getObject(ctx, 'backups', ctx.namespace, name, BACKUP_HINT),
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
  return { summary, result: backupWaitResult(outcome, summary.phase) };
}
