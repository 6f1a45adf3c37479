/** How a quota ledger's reservations are kept in its ConfigMap: one JSON document under one key. */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Reservation } from './reservations.js';

export const RESERVATIONS_KEY = 'reservations.json';

const storedSchema = z.array(
  z.strictObject({
    id: z.string().min(1),
    kind: z.string().min(1),
    key: z.string().min(1),
    amount: z.int().min(1),
    expiresAt: z.iso.datetime(),
  }),
);

/** The ledger was changed by hand into something it cannot count with. */
export class LedgerUnreadable extends Error {
  constructor(where: string, problem: string) {
    super(
      `quota ledger ConfigMap ${where} has an unreadable ${RESERVATIONS_KEY} (${problem}); an administrator can delete the ConfigMap to reset it (reservations last minutes at most)`,
    );
    this.name = 'LedgerUnreadable';
  }
}

export function parseReservations(configMap: V1ConfigMap): Reservation[] {
  const text = configMap.data?.[RESERVATIONS_KEY];
  if (text === undefined) return [];
  const where = `${configMap.metadata?.namespace}/${configMap.metadata?.name}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LedgerUnreadable(where, (error as Error).message);
  }
  const parsed = storedSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LedgerUnreadable(where, `${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data.map((r) => ({ ...r, expiresAt: Date.parse(r.expiresAt) }));
}

/** Readable with kubectl: expiry as an ISO time. */
export function formatReservations(reservations: readonly Reservation[]): string {
  return JSON.stringify(reservations.map((r) => ({ ...r, expiresAt: new Date(r.expiresAt).toISOString() })));
}
