/**
 * Optimistic-lock conflicts (409): a write carried a resourceVersion someone else has moved on
 * from — on a real cluster usually the operator writing status in the background. The change is
 * decided again from a fresh read, after a wait that grows with each attempt and is spread at
 * random, so writers that collided do not collide again in step. The one backoff of the remote
 * API: the quota ledger's compare-and-swap and the tools' conflict retries use it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { translateKubeError } from './errors.js';

export interface RetryBackoff {
  /** Attempts per change, the first included. */
  attempts: number;
  /** Upper bound of the first wait after a conflict; doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The tools' conflict retries: a handful of attempts, waits up to about a second. */
export const TOOL_CONFLICT_BACKOFF: RetryBackoff = { attempts: 5, baseDelayMs: 50, maxDelayMs: 1000 };

/** "Full jitter": a random wait up to the attempt's exponential bound (attempt counts from 1). */
export function backoffDelay(
  attempt: number,
  backoff: RetryBackoff,
  random: () => number = Math.random,
): number {
  return random() * Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1));
}

export interface ConflictRetryOptions {
  backoff?: RetryBackoff;
  /** Stops waiting (and retrying) when the call is cancelled. */
  signal?: AbortSignal;
  /** For tests: how to wait, and the random source of the jitter. */
  wait?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

/**
 * Runs `attempt` (which must read afresh each time) again after a jittered, growing wait when the
 * server answers 409 Conflict; any other failure, or the last conflict, is thrown translated.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  options: ConflictRetryOptions = {},
): Promise<T> {
  const backoff = options.backoff ?? TOOL_CONFLICT_BACKOFF;
  const wait = options.wait ?? ((ms: number) => sleep(ms, undefined, { signal: options.signal }));
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const translated = translateKubeError(error);
      if (translated?.kind !== 'conflict' || i >= backoff.attempts || options.signal?.aborted) {
        throw translated ?? error;
      }
    }
    await wait(backoffDelay(i, backoff, options.random));
  }
}
