import type { ToolContext } from '../context.js';

/** What waiting needs from a call: its cancellation, the poll interval, and progress notifications. */
type Waiting = Pick<ToolContext, 'signal' | 'config' | 'progress'>;

export type WaitOutcome = 'done' | 'timeout' | 'cancelled';

/** Sleeps for the configured poll interval, waking early when the call is cancelled. */
export function pause(ctx: Pick<Waiting, 'signal' | 'config'>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    const timer = setTimeout(done, ctx.config.waitPollMs);
    function done() {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', done);
      resolve();
    }
    ctx.signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls `read` until `check` says it is done, sending a progress notification each time the
 * reported line changes; stops on timeout or cancellation.
 */
export async function pollUntil<T>(
  ctx: Waiting,
  timeoutSeconds: number,
  read: () => Promise<T>,
  check: (value: T) => { done: boolean; progress: number; total?: number; line: string },
): Promise<{ value: T; outcome: WaitOutcome }> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const value = await read();
    const state = check(value);
    if (state.line !== last) {
      await ctx.progress(state.progress, state.total, state.line);
      last = state.line;
    }
    if (state.done) return { value, outcome: 'done' };
    if (ctx.signal.aborted) return { value, outcome: 'cancelled' };
    if (Date.now() >= deadline) return { value, outcome: 'timeout' };
    await pause(ctx);
    if (ctx.signal.aborted) return { value, outcome: 'cancelled' };
  }
}

/**
 * Waits until the instance manager has reconciled an object (applied true or false), reporting
 * "pending" then the outcome as progress.
 */
export async function waitApplied(
  ctx: Waiting,
  timeoutSeconds: number,
  what: string,
  read: () => Promise<{ applied: boolean | null; message: string }>,
): Promise<{ applied: boolean | null; message: string; outcome: WaitOutcome }> {
  const { value, outcome } = await pollUntil(ctx, timeoutSeconds, read, (state) => ({
    done: state.applied !== null,
    progress: state.applied === null ? 0 : 1,
    total: 1,
    line: `${what}: ${state.applied === null ? 'waiting for the instance manager' : state.applied ? 'applied' : `not applied: ${state.message}`}`,
  }));
  return { ...value, outcome };
}

/** A sentence about how a wait ended. */
export function waitSummary(
  what: string,
  result: { applied: boolean | null; message: string; outcome: WaitOutcome },
  timeoutSeconds: number,
): string {
  if (result.applied === true) return `${what} is applied`;
  if (result.applied === false) return `${what} is NOT applied: ${result.message || 'no message'}`;
  return result.outcome === 'cancelled'
    ? `${what}: waiting was cancelled before it was applied`
    : `${what}: not applied after ${timeoutSeconds}s`;
}
