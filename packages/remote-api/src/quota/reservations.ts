/**
 * The pure part of the quota ledger: what a ledger holds, how usage is counted, and whether a
 * new claim fits. No I/O; time is passed in.
 */

/** A claim on a quota that is not visible in Kubernetes yet: `amount` of `kind` for `key`. */
export interface Reservation {
  /** Unique per reservation: only the call that made it removes it. */
  id: string;
  /** What is counted, e.g. 'clusters'. */
  kind: string;
  /** The object it is for, e.g. '<namespace>/<name>'. */
  key: string;
  amount: number;
  /** Milliseconds since the epoch; afterwards the reservation counts for nothing. */
  expiresAt: number;
}

/** What already exists in Kubernetes for one kind, by key (for clusters: 1 per live cluster). */
export type LiveUsage = ReadonlyMap<string, number>;

export interface Claim {
  kind: string;
  key: string;
  amount: number;
  limit: number;
}

export interface Usage {
  /** Counted from objects that exist. */
  live: number;
  /** Counted from unexpired reservations beyond what exists (objects being made). */
  pending: number;
}

export type Decision =
  | { granted: true; usage: Usage; reservations: Reservation[] }
  | { granted: false; usage: Usage };

/**
 * Usage of one kind. Each key counts the larger of what exists and what is reserved for it, so
 * a reservation whose object now exists is not counted twice, and one whose object was never
 * made counts until it expires.
 */
export function usageOf(
  kind: string,
  live: LiveUsage,
  reservations: readonly Reservation[],
  now: number,
): Usage {
  const reserved = new Map<string, number>();
  for (const r of reservations) {
    if (r.kind !== kind || r.expiresAt <= now) continue;
    reserved.set(r.key, Math.max(reserved.get(r.key) ?? 0, r.amount));
  }
  let liveTotal = 0;
  for (const amount of live.values()) liveTotal += amount;
  let pending = 0;
  for (const [key, amount] of reserved) pending += Math.max(0, amount - (live.get(key) ?? 0));
  return { live: liveTotal, pending };
}

/**
 * Drops what no longer needs keeping: expired reservations, and those of `kind` that what
 * exists now covers (their objects were made).
 */
export function prune(
  kind: string,
  live: LiveUsage,
  reservations: readonly Reservation[],
  now: number,
): Reservation[] {
  return reservations.filter(
    (r) => r.expiresAt > now && !(r.kind === kind && (live.get(r.key) ?? 0) >= r.amount),
  );
}

/**
 * Whether `claim` fits under its limit given what exists and what is reserved; when it does,
 * the ledger's next content: pruned, plus the new reservation `id`. Two reservations for the same
 * key (the same object asked for twice at once) count once.
 */
export function decide(
  claim: Claim,
  id: string,
  live: LiveUsage,
  stored: readonly Reservation[],
  now: number,
  reservationMs: number,
): Decision {
  const others = prune(claim.kind, live, stored, now);
  const before = usageOf(claim.kind, live, others, now);
  const reservation: Reservation = {
    id,
    kind: claim.kind,
    key: claim.key,
    amount: claim.amount,
    expiresAt: now + reservationMs,
  };
  const after = usageOf(claim.kind, live, [...others, reservation], now);
  if (after.live + after.pending > claim.limit) return { granted: false, usage: before };
  return { granted: true, usage: before, reservations: [...others, reservation] };
}

/** The ledger's content without reservation `id` (and expired ones); undefined when it does not hold `id`. */
export function without(
  reservations: readonly Reservation[],
  id: string,
  now: number,
): Reservation[] | undefined {
  if (!reservations.some((r) => r.id === id)) return undefined;
  return reservations.filter((r) => r.id !== id && r.expiresAt > now);
}
