/**
 * Compare-and-swap on one ledger ConfigMap. Every change reads the ConfigMap, decides, and writes
 * it back carrying the resourceVersion it read (or creates it when absent); when another writer
 * got there first, Kubernetes answers 409 and the change starts again from a fresh read. All
 * writers of one ledger therefore take turns, whichever process or replica they run in.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, type CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { backoffDelay, type RetryBackoff } from '../kube/conflict-retry.js';
import { KubeError } from '../kube/errors.js';
import { formatReservations, parseReservations, RESERVATIONS_KEY } from './ledger-format.js';
import type { Reservation } from './reservations.js';

/** Attempts and jittered exponential waits of the compare-and-swap (kube/conflict-retry's backoff). */
export type CasRetry = RetryBackoff;

export const DEFAULT_CAS_RETRY: CasRetry = { attempts: 30, baseDelayMs: 10, maxDelayMs: 500 };

export interface LedgerRef {
  name: string;
  labels: Record<string, string>;
}

export interface LedgerChange<T> {
  /** The reservations to write; undefined writes nothing. */
  next: Reservation[] | undefined;
  result: T;
}

const isConflict = (error: unknown) => error instanceof ApiException && Number(error.code) === 409;

export class LedgerStore {
  constructor(
    private readonly core: CoreV1Api,
    readonly namespace: string,
    private readonly retry: CasRetry = DEFAULT_CAS_RETRY,
  ) {}

  /** Applies `decide` to the ledger's current reservations, atomically with respect to every other writer. */
  async change<T>(
    ledger: LedgerRef,
    decide: (reservations: Reservation[]) => Promise<LedgerChange<T>>,
  ): Promise<T> {
    for (let attempt = 1; attempt <= this.retry.attempts; attempt += 1) {
      const current = await this.read(ledger.name);
      const { next, result } = await decide(current ? parseReservations(current) : []);
      if (next === undefined || (await this.write(ledger, current, next))) return result;
      await sleep(backoffDelay(attempt, this.retry));
    }
    throw new KubeError(
      'conflict',
      409,
      `the quota ledger ${this.namespace}/${ledger.name} changed under each of ${this.retry.attempts} attempts`,
      [],
      'Many calls are using the same quota at this moment; run the tool again.',
    );
  }

  private async read(name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await this.core.readNamespacedConfigMap({ name, namespace: this.namespace });
    } catch (error) {
      if (error instanceof ApiException && Number(error.code) === 404) return undefined;
      throw error;
    }
  }

  /** False when another writer got there first (stale resourceVersion, or created meanwhile). */
  private async write(
    ledger: LedgerRef,
    current: V1ConfigMap | undefined,
    next: Reservation[],
  ): Promise<boolean> {
    const data = { [RESERVATIONS_KEY]: formatReservations(next) };
    try {
      if (current) {
        // `current` carries metadata.resourceVersion: the compare in compare-and-swap.
        await this.core.replaceNamespacedConfigMap({
          name: ledger.name,
          namespace: this.namespace,
          body: { ...current, data: { ...current.data, ...data } },
        });
      } else {
        await this.core.createNamespacedConfigMap({
          namespace: this.namespace,
          body: { metadata: { name: ledger.name, labels: ledger.labels }, data },
        });
      }
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }
}
