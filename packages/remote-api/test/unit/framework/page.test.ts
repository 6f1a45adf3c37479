import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolFailure } from '../../../src/tools/context.js';
import { boundStructured, RESULT_LIMIT, truncate } from '../../../src/tools/framework/bounded.js';
import { moreLine, pageOf } from '../../../src/tools/framework/page.js';

const items = Array.from({ length: 10 }, (_, i) => ({ n: i }));

test('pageOf: limit, then continue from where the page ended, until there is no more', () => {
  const first = pageOf(items, { limit: 4 });
  assert.deepEqual(
    first.items.map((i) => i.n),
    [0, 1, 2, 3],
  );
  assert.equal(first.total, 10);
  const second = pageOf(items, { limit: 4, continue: first.continue });
  assert.deepEqual(
    second.items.map((i) => i.n),
    [4, 5, 6, 7],
  );
  const last = pageOf(items, { limit: 4, continue: second.continue });
  assert.deepEqual(
    last.items.map((i) => i.n),
    [8, 9],
  );
  assert.equal(last.continue, '');
  assert.match(moreLine(first), /^… 6 more: call again with continue "/);
  assert.equal(moreLine(last), '');
});

test('pageOf from the end (oldest-first lists such as logs): the newest first, in their order', () => {
  const newest = pageOf(items, { limit: 3 }, { fromEnd: true });
  assert.deepEqual(
    newest.items.map((i) => i.n),
    [7, 8, 9],
  );
  const older = pageOf(items, { limit: 3, continue: newest.continue }, { fromEnd: true });
  assert.deepEqual(
    older.items.map((i) => i.n),
    [4, 5, 6],
  );
});

test('pageOf keeps a page within its character budget, with at least one entry', () => {
  const big = Array.from({ length: 50 }, (_, i) => ({ n: i, text: 'x'.repeat(1000) }));
  const page = pageOf(big, {}, { budget: 5_000 });
  assert.equal(page.items.length, 4);
  assert.ok(page.continue, 'page.continue');
  const huge = [{ text: 'y'.repeat(10_000) }, { text: 'z' }];
  assert.equal(pageOf(huge, {}, { budget: 5_000 }).items.length, 1);
  assert.equal(pageOf([], { limit: 5 }).continue, '');
});

test('pageOf refuses a continue it did not give out', () => {
  for (const token of [
    'garbage',
    Buffer.from('after:-1').toString('base64url'),
    Buffer.from('x:1').toString('base64url'),
  ])
    assert.throws(
      () => pageOf(items, { continue: token }),
      (error: unknown) =>
        error instanceof ToolFailure && /continue: not a value this tool returned/.test(error.message),
    );
});

test('boundStructured cuts the largest lists until the JSON fits, keeping the shape', () => {
  const small = { a: [1, 2, 3] };
  assert.deepEqual(boundStructured(small), { structured: small, trimmed: [], tooLarge: false });
  const result = {
    namespace: 'n',
    entries: Array.from({ length: 400 }, (_, i) => ({ i, message: 'm'.repeat(100) })),
    pods: ['a', 'b'],
  };
  const bounded = boundStructured(result);
  assert.ok(
    JSON.stringify(bounded.structured).length <= RESULT_LIMIT,
    'JSON.stringify(bounded.structured).length <= RESULT_LIMIT',
  );
  assert.equal((bounded.structured.pods as string[]).length, 2);
  const kept = (bounded.structured.entries as unknown[]).length;
  assert.ok(kept > 100 && kept < 400, 'kept > 100 && kept < 400');
  assert.deepEqual(bounded.trimmed, [`entries: ${kept} of 400 kept`]);
  assert.equal(result.entries.length, 400, 'the original is not changed');
  assert.equal(boundStructured({ spec: { blob: 'x'.repeat(30_000) } }).tooLarge, true);
});

test('truncate says how much was cut, and whether the structured content has the rest', () => {
  assert.equal(truncate('short'), 'short');
  assert.match(truncate('x'.repeat(30_000), false), /\n… \(truncated 5000 characters\)$/);
});
