import { waitForHealthy } from '../cluster/wait-healthy.js';
import { str } from '../common/objects.js';
import type { ToolContext, ToolOutcome } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';

/**
 * How a restore into a new cluster ends, whatever it restored from: the created cluster as it
 * was answered, or (with `wait`) once it is healthy, cancelled or out of time.
 */
export async function restoreOutcome(
  ctx: ToolContext,
  args: { name: string; instances: number; dry_run: boolean; wait: boolean; wait_timeout_seconds: number },
  created: KubeObject,
  message: string,
  base: Record<string, unknown>,
): Promise<ToolOutcome> {
  if (args.dry_run || !args.wait) {
    return {
      structured: { ...base, phase: str(created.status?.phase), waited: false },
      text: args.dry_run
        ? `Dry run (nothing written): ${message}`
        : `${message}. Follow it with cluster_status. The new cluster has no backups configured.`,
    };
  }
  const { value, outcome } = await waitForHealthy(ctx, args.name, args.instances, args.wait_timeout_seconds);
  const phaseNow = value.status?.phase ?? '';
  const final =
    outcome === 'done'
      ? `${message}; healthy`
      : `${message}; ${outcome === 'cancelled' ? 'waiting was cancelled' : `not healthy after ${args.wait_timeout_seconds}s`} at "${phaseNow}"`;
  return { structured: { ...base, message: final, phase: phaseNow, waited: true }, text: final };
}
