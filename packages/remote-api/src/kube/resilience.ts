import { ApiException } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

export interface ResiliencePolicy {
  /** Attempts per call, the first included. */
  attempts: number;
  /** Upper bound of one wait between attempts (Retry-After is honoured up to this). */
  maxDelayMs: number;
  /** First backoff when the server names no Retry-After; doubles per attempt. */
  baseDelayMs: number;
  /** Time limit of one attempt. */
  timeoutMs: number;
}

export const DEFAULT_RESILIENCE: ResiliencePolicy = {
  attempts: 3,
  maxDelayMs: 5000,
  baseDelayMs: 200,
  timeoutMs: 30_000,
};

/** Reads (list, get, read) change nothing, so any transient failure may be retried. */
const READ_METHOD = /^(list|get|read)/;

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? Number(error.code) : undefined;
}

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof ApiException) return false;
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ??
    (error as { code?: unknown }).code;
  return error.name === 'FetchError' || typeof code === 'string';
}

/**
 * 429 means the server did not process the request, so even writes may be sent again. 5xx and
 * dropped connections leave a write's outcome unknown: only reads are retried after them, and a
 * write reports the failure instead of risking a doubled change.
 */
function retryable(error: unknown, isRead: boolean): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (!isRead) return false;
  return (status !== undefined && status >= 500) || isConnectionFailure(error);
}

function delayFor(error: unknown, attempt: number, policy: ResiliencePolicy): number {
  const header = error instanceof ApiException ? error.headers?.['retry-after'] : undefined;
  const seconds = header === undefined ? Number.NaN : Number(header);
  const wanted = Number.isFinite(seconds) ? seconds * 1000 : policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(wanted, policy.maxDelayMs);
}

function timeoutError(method: string, isRead: boolean, timeoutMs: number): KubeError {
  const outcome = isRead
    ? 'Try again shortly.'
    : 'The change may or may not have been applied: check the object (e.g. with cluster_status) before running the tool again.';
  return new KubeError(
    'unavailable',
    0,
    `the Kubernetes API did not answer ${method} within ${timeoutMs / 1000}s`,
    [],
    outcome,
  );
}

async function withTimeout<T>(
  call: Promise<T>,
  method: string,
  isRead: boolean,
  timeoutMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(method, isRead, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function callResiliently<T>(
  invoke: () => Promise<T>,
  method: string,
  policy: ResiliencePolicy,
): Promise<T> {
  const isRead = READ_METHOD.test(method);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTimeout(invoke(), method, isRead, policy.timeoutMs);
    } catch (error) {
      if (attempt >= policy.attempts || !retryable(error, isRead)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayFor(error, attempt, policy)));
    }
  }
}

/**
 * Wraps a generated client-node API object so every call is time-limited and transient failures
 * are retried where that is safe (see `retryable`).
 */
export function resilient<T extends object>(api: T, policy: ResiliencePolicy = DEFAULT_RESILIENCE): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) =>
        callResiliently(
          () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
          property,
          policy,
        );
    },
  });
}
