/**
 * The quota ledger: counting and reserving against a limit atomically across concurrent calls and
 * remote-api replicas. State lives in the Kubernetes API (one ConfigMap per subject, written with
 * compare-and-swap by the remote's own service account), never in process memory.
 *
 * A caller reserves before it creates, then confirms (the object exists and counts by itself) or
 * releases (it will not be made). A reservation nobody settles (a crashed replica) lapses after
 * `reservationMs`, so it never blocks anyone for long.
 */
import { randomUUID } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL } from '../identity.js';
import type { Logger } from '../log.js';
import { type CasRetry, type LedgerRef, LedgerStore } from './ledger-store.js';
import { type Claim, decide, type LiveUsage, type Usage, without } from './reservations.js';

export const QUOTA_SUBJECT_LABEL = 'cnpg-mcp.io/quota-subject';
const LABEL_VALUE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface QuotaRequest extends Claim {
  /** Whose budget (the user id; a label value). Each subject has its own ledger. */
  subject: string;
  /**
   * What exists now for `kind`, by key. Called after each read of the ledger, so an object made
   * after its reservation was dropped is seen here.
   */
  observe(): Promise<LiveUsage>;
  /** Decide only: nothing is written and the reservation returned does nothing. */
  dryRun: boolean;
}

/** A granted claim. Neither method throws: a reservation that cannot be dropped lapses on its own. */
export interface QuotaReservation {
  /** The object exists now and counts by itself: drop the reservation. */
  confirm(): Promise<void>;
  /** The object will not be made (the create failed): drop the reservation. */
  release(): Promise<void>;
}

export type QuotaOutcome =
  | { granted: true; usage: Usage; reservation: QuotaReservation }
  | { granted: false; usage: Usage };

export interface QuotaLedgerOptions {
  /** Where the ledger ConfigMaps live. */
  namespace: string;
  /** How long a reservation counts when it is never confirmed or released. */
  reservationMs: number;
  log: Logger;
  /** The clock (ms since the epoch); tests move it. */
  now?: () => number;
  retry?: CasRetry;
}

/** For calls with no quota to hold (no limit set, or an admin). */
export const NO_RESERVATION: QuotaReservation = { confirm: async () => {}, release: async () => {} };

export function ledgerName(subject: string): string {
  return `cnpg-mcp-quota-${subject}`;
}

export class QuotaLedger {
  private readonly store: LedgerStore;
  private readonly now: () => number;

  /** `core` must act as the remote API itself (Kube.serviceApis()), never as the caller. */
  constructor(
    core: CoreV1Api,
    private readonly options: QuotaLedgerOptions,
  ) {
    this.store = new LedgerStore(core, options.namespace, options.retry);
    this.now = options.now ?? Date.now;
  }

  /** Grants `amount` of `kind` for `key` when usage (existing plus reserved) stays within `limit`. */
  async reserve(request: QuotaRequest): Promise<QuotaOutcome> {
    if (!LABEL_VALUE.test(request.subject)) {
      throw new Error(`quota subject "${request.subject}" is not a Kubernetes label value`);
    }
    const ledger: LedgerRef = {
      name: ledgerName(request.subject),
      labels: {
        [MANAGED_BY_LABEL]: 'cnpg-mcp',
        'app.kubernetes.io/component': 'quota-ledger',
        [QUOTA_SUBJECT_LABEL]: request.subject,
      },
    };
    const id = randomUUID();
    const decision = await this.store.change(ledger, async (stored) => {
      const live = await request.observe();
      const decided = decide(request, id, live, stored, this.now(), this.options.reservationMs);
      return { next: decided.granted && !request.dryRun ? decided.reservations : undefined, result: decided };
    });
    if (!decision.granted) return { granted: false, usage: decision.usage };
    const reservation = request.dryRun ? NO_RESERVATION : this.settlement(ledger, id);
    return { granted: true, usage: decision.usage, reservation };
  }

  private settlement(ledger: LedgerRef, id: string): QuotaReservation {
    const drop = async (why: 'confirmed' | 'released') => {
      try {
        await this.store.change(ledger, async (stored) => ({
          next: without(stored, id, this.now()),
          result: undefined,
        }));
      } catch (error) {
        this.options.log.warn('quota reservation not dropped; it lapses on its own', {
          ledger: `${this.options.namespace}/${ledger.name}`,
          why,
          error,
        });
      }
    };
    return { confirm: () => drop('confirmed'), release: () => drop('released') };
  }
}
