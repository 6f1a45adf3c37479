/** Optimistic-lock conflicts: retried after jittered exponential waits, the one backoff of the remote API. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { backoffDelay, retryOnConflict } from '../../src/kube/conflict-retry.js';

const conflict = () =>
  new ApiException(
    409,
    'Conflict',
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on clusters.postgresql.cnpg.io "pg": the object has been modified',
    }),
    {},
  );

const backoff = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

describe('conflict retries', () => {
  test('wait a random share of a bound that doubles per attempt, capped', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, backoff, () => 1)),
      [100, 200, 300, 300],
    );
    assert.equal(
      backoffDelay(3, backoff, () => 0.5),
      150,
    );
    assert.equal(
      backoffDelay(1, backoff, () => 0),
      0,
    );
  });

  test('a conflicted write is decided again after each wait, until it goes through', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryOnConflict(
      async () => {
        calls += 1;
        if (calls < 3) throw conflict();
        return 'written';
      },
      { backoff, wait: async (ms) => waits.push(ms), random: () => 0.5 },
    );
    assert.equal(result, 'written');
    assert.equal(calls, 3);
    assert.deepEqual(
      waits,
      [50, 100],
      'jittered exponential waits between the attempts, none before the first',
    );
  });

  test('the last conflict is reported translated, after the configured attempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    await assert.rejects(
      retryOnConflict(
        async () => {
          calls += 1;
          throw conflict();
        },
        { backoff, wait: async (ms) => waits.push(ms), random: () => 1 },
      ),
      (error: Error & { kind?: string }) => error.kind === 'conflict',
    );
    assert.equal(calls, 4);
    assert.deepEqual(waits, [100, 200, 300]);
  });

  test('other failures are not retried', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnConflict(
        async () => {
          calls += 1;
          throw new ApiException(422, 'Invalid', '{"kind":"Status","code":422,"reason":"Invalid"}', {});
        },
        { backoff, wait: async () => assert.fail('no wait') },
      ),
    );
    assert.equal(calls, 1);
  });

  test('a cancelled call stops retrying', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    await assert.rejects(
      retryOnConflict(
        async () => {
          calls += 1;
          throw conflict();
        },
        { backoff, signal: controller.signal, wait: async () => assert.fail('no wait') },
      ),
    );
    assert.equal(calls, 1);
  });
});
