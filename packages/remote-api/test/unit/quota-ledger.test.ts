/** The quota ledger's pure part: counting, expiry, pruning, and its stored format. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { formatReservations, LedgerUnreadable, parseReservations } from '../../src/quota/ledger-format.js';
import { decide, prune, type Reservation, usageOf, without } from '../../src/quota/reservations.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const MINUTE = 60_000;
const claim = (key: string, limit: number, amount = 1) => ({ kind: 'clusters', key, amount, limit });
const reservation = (id: string, key: string, expiresAt = NOW + MINUTE, kind = 'clusters'): Reservation => ({
  id,
  kind,
  key,
  amount: 1,
  expiresAt,
});
const live = (...keys: string[]) => new Map(keys.map((key) => [key, 1]));

describe('quota usage', () => {
  test('counts what exists plus unexpired reservations of objects not made yet', () => {
    const stored = [reservation('r1', 'ns/a'), reservation('r2', 'ns/b'), reservation('r3', 'ns/c', NOW)];
    assert.deepEqual(usageOf('clusters', live('ns/a', 'ns/x'), stored, NOW), { live: 2, pending: 1 });
  });

  test('ignores reservations of other kinds', () => {
    const stored = [reservation('r1', 'ns/a', NOW + MINUTE, 'instances/ns/a')];
    assert.deepEqual(usageOf('clusters', live(), stored, NOW), { live: 0, pending: 0 });
  });

  test('two reservations for the same object count once', () => {
    const stored = [reservation('r1', 'ns/a'), reservation('r2', 'ns/a')];
    assert.deepEqual(usageOf('clusters', live(), stored, NOW), { live: 0, pending: 1 });
  });

  test('a key counts the larger of what exists and what is reserved (amounts above one)', () => {
    const stored: Reservation[] = [
      { id: 'r', kind: 'instances', key: 'ns/a', amount: 4, expiresAt: NOW + 1 },
    ];
    assert.deepEqual(usageOf('instances', new Map([['ns/a', 3]]), stored, NOW), { live: 3, pending: 1 });
    assert.deepEqual(usageOf('instances', new Map([['ns/a', 5]]), stored, NOW), { live: 5, pending: 0 });
  });
});

describe('quota decisions', () => {
  test('grants up to the limit and refuses beyond it, naming what is used', () => {
    let stored: Reservation[] = [];
    for (const [i, key] of ['ns/a', 'ns/b', 'ns/c'].entries()) {
      const decision = decide(claim(key, 3), `r${i}`, live(), stored, NOW, MINUTE);
      assert.ok(decision.granted, key);
      stored = decision.reservations;
    }
    const refused = decide(claim('ns/d', 3), 'r4', live(), stored, NOW, MINUTE);
    assert.deepEqual(refused, { granted: false, usage: { live: 0, pending: 3 } });
  });

  test('a limit of zero refuses everything', () => {
    assert.equal(decide(claim('ns/a', 0), 'r', live(), [], NOW, MINUTE).granted, false);
  });

  test('existing objects count against the limit', () => {
    const refused = decide(claim('ns/c', 2), 'r', live('ns/a', 'other/b'), [], NOW, MINUTE);
    assert.deepEqual(refused, { granted: false, usage: { live: 2, pending: 0 } });
  });

  test('an expired reservation no longer counts and is dropped from the ledger', () => {
    const stored = [reservation('old', 'ns/a', NOW - 1), reservation('kept', 'ns/b')];
    const decision = decide(claim('ns/c', 2), 'new', live(), stored, NOW, MINUTE);
    assert.ok(decision.granted, 'decision.granted');
    assert.deepEqual(
      decision.reservations.map((r) => r.id),
      ['kept', 'new'],
    );
  });

  test('expiry is exact: a reservation counts until its expiry time, not at it', () => {
    const stored = [reservation('r', 'ns/a', NOW + 1)];
    assert.equal(decide(claim('ns/b', 1), 'x', live(), stored, NOW, MINUTE).granted, false);
    assert.equal(decide(claim('ns/b', 1), 'x', live(), stored, NOW + 1, MINUTE).granted, true);
  });

  test('a reservation whose object now exists is dropped (the object counts by itself)', () => {
    const stored = [reservation('made', 'ns/a'), reservation('pending', 'ns/b')];
    const decision = decide(claim('ns/c', 3), 'new', live('ns/a'), stored, NOW, MINUTE);
    assert.ok(decision.granted, 'decision.granted');
    assert.deepEqual(decision.usage, { live: 1, pending: 1 });
    assert.deepEqual(
      decision.reservations.map((r) => r.id),
      ['pending', 'new'],
    );
  });

  test('the new reservation expires reservationMs from now', () => {
    const decision = decide(claim('ns/a', 1), 'r', live(), [], NOW, 2 * MINUTE);
    assert.ok(decision.granted, 'decision.granted');
    assert.deepEqual(decision.reservations, [reservation('r', 'ns/a', NOW + 2 * MINUTE)]);
  });

  test('asking again for an object that exists adds nothing, so it fits at the limit', () => {
    assert.equal(decide(claim('ns/a', 1), 'r', live('ns/a'), [], NOW, MINUTE).granted, true);
  });

  test('removing a reservation removes only that one (and expired ones)', () => {
    const stored = [reservation('a', 'ns/a'), reservation('b', 'ns/a'), reservation('gone', 'ns/c', NOW - 1)];
    assert.deepEqual(
      without(stored, 'a', NOW)?.map((r) => r.id),
      ['b'],
    );
    assert.equal(without(stored, 'missing', NOW), undefined);
  });

  test('prune keeps other kinds even when a key of the same name exists', () => {
    const other = reservation('i', 'ns/a', NOW + MINUTE, 'instances/ns/a');
    assert.deepEqual(prune('clusters', live('ns/a'), [other], NOW), [other]);
  });
});

describe('the ledger ConfigMap format', () => {
  const configMap = (text: string | undefined) => ({
    metadata: { namespace: 'cnpg-mcp', name: 'cnpg-mcp-quota-alice' },
    ...(text === undefined ? {} : { data: { 'reservations.json': text } }),
  });

  test('round-trips reservations with the expiry as an ISO time', () => {
    const stored = [reservation('r1', 'ns/a'), reservation('r2', 'ns/b', NOW + 5 * MINUTE)];
    const text = formatReservations(stored);
    assert.match(text, /"expiresAt":"2026-11-23T10:01:00.000Z"/);
    assert.deepEqual(parseReservations(configMap(text)), stored);
  });

  test('an empty ledger holds nothing', () => {
    assert.deepEqual(parseReservations(configMap(undefined)), []);
  });

  test('a hand-edited ledger it cannot count with is refused with a way out, not read as empty', () => {
    for (const bad of ['{', '{}', '[{"id":"r","kind":"clusters","key":"ns/a","amount":0,"expiresAt":"x"}]']) {
      assert.throws(
        () => parseReservations(configMap(bad)),
        (error: unknown) =>
          error instanceof LedgerUnreadable &&
          /cnpg-mcp\/cnpg-mcp-quota-alice/.test(error.message) &&
          /delete the ConfigMap to reset it/.test(error.message),
        bad,
      );
    }
  });
});

describe('quota configuration', () => {
  const base = { OIDC_ISSUER: 'https://issuer.example/', OIDC_AUDIENCE: 'api' };

  test('the ledger lives in QUOTA_NAMESPACE, else the pod namespace, else DEFAULT_NAMESPACE', () => {
    assert.equal(loadConfig(base).quotaNamespace, 'default');
    assert.equal(loadConfig({ ...base, DEFAULT_NAMESPACE: 'databases' }).quotaNamespace, 'databases');
    assert.equal(
      loadConfig({ ...base, DEFAULT_NAMESPACE: 'db', POD_NAMESPACE: 'cnpg-mcp' }).quotaNamespace,
      'cnpg-mcp',
    );
    assert.equal(
      loadConfig({ ...base, POD_NAMESPACE: 'cnpg-mcp', QUOTA_NAMESPACE: 'quotas' }).quotaNamespace,
      'quotas',
    );
  });

  test('reservations last two minutes unless QUOTA_RESERVATION_SECONDS says otherwise', () => {
    assert.equal(loadConfig(base).quotaReservationMs, 120_000);
    assert.equal(loadConfig({ ...base, QUOTA_RESERVATION_SECONDS: '300' }).quotaReservationMs, 300_000);
    assert.throws(() => loadConfig({ ...base, QUOTA_RESERVATION_SECONDS: '1' }), /QUOTA_RESERVATION_SECONDS/);
    assert.throws(
      () => loadConfig({ ...base, QUOTA_NAMESPACE: 'Not_A_Namespace' }),
      /QUOTA_NAMESPACE: expected a namespace name/,
    );
  });
});
