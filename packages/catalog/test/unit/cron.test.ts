import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronProblem, parseCron } from '../../src/index.js';

const at = (iso: string) => new Date(iso);
const next = (spec: string, after: string) => parseCron(spec).next(at(after)).toISOString();

test('six fields start with seconds; five parse with a warning and the first field still seconds', () => {
  assert.equal(next('0 0 2 * * *', '2026-01-01T03:00:00Z'), '2026-01-02T02:00:00.000Z');
  assert.equal(next('30 */15 * * * *', '2026-01-01T00:00:31Z'), '2026-01-01T00:15:30.000Z');
  assert.equal(parseCron('0 0 2 * * *').fieldCountWarning, false);
  const five = parseCron('0 2 * * *');
  assert.equal(five.fieldCountWarning, true);
  // seconds 0, minute 2, every hour: not 02:00 every day
  assert.equal(five.next(at('2026-01-01T00:00:00Z')).toISOString(), '2026-01-01T00:02:00.000Z');
});

test('names, ranges, "a/step" to the end of the field, and the day-of-month / day-of-week rule', () => {
  assert.equal(next('0 0 0 * JAN-MAR mon-fri', '2026-03-31T00:00:00Z'), '2027-01-01T00:00:00.000Z');
  assert.equal(next('0 50/5 * * * *', '2026-01-01T00:56:00Z'), '2026-01-01T01:50:00.000Z');
  // Both day fields restricted: either matches (the 13th, or any Friday).
  assert.equal(next('0 0 0 13 * 5', '2026-02-01T00:00:00Z'), '2026-02-06T00:00:00.000Z');
  // One of them "?": only the other counts.
  assert.equal(next('0 0 0 13 * ?', '2026-02-01T00:00:00Z'), '2026-02-13T00:00:00.000Z');
});

test('descriptors and @every', () => {
  assert.equal(next('@daily', '2026-05-05T10:00:00Z'), '2026-05-06T00:00:00.000Z');
  assert.equal(next('@weekly', '2026-05-05T10:00:00Z'), '2026-05-10T00:00:00.000Z');
  assert.equal(next('@every 1h30m', '2026-05-05T10:00:00.400Z'), '2026-05-05T11:30:00.000Z');
  assert.equal(next('@every 1.5s', '2026-05-05T10:00:00Z'), '2026-05-05T10:00:01.000Z');
  assert.equal(next('@every 10ms', '2026-05-05T10:00:00Z'), '2026-05-05T10:00:01.000Z');
});

test('what CloudNativePG refuses is refused, naming the field and what it allows', () => {
  const problems: [string, RegExp][] = [
    ['every day', /expected 6 fields/],
    ['0 0 0 * * * *', /expected 6 fields.*got 7/],
    ['0 0 24 * * *', /hour: "24" is outside 0-23/],
    ['60 * * * * *', /second: "60" is outside 0-59/],
    ['0 0 0 0 * *', /day of month: "0" is outside 1-31/],
    ['0 0 0 * 13 *', /month: "13" is outside 1-12/],
    ['0 0 0 * * 7', /day of week: "7" is outside 0-6/],
    ['0 0 0 10-2 * *', /day of month: range "10-2" is reversed/],
    ['*/0 * * * * *', /second: bad step "0"/],
    ['0 0 0 L * *', /day of month: "L" is not a number/],
    ['0 0 0 * * 5#2', /day of week: "5#2" is not a number/],
    ['0 0 0 1-2-3 * *', /bad range/],
    ['@fortnightly', /unknown descriptor/],
    ['@every soon', /bad duration "soon"/],
    ['@every 1d', /bad duration/],
  ];
  for (const [spec, message] of problems) {
    assert.throws(() => parseCron(spec), message, spec);
    assert.match(cronProblem(spec) ?? '', message, spec);
  }
});

test('cronProblem also refuses five fields, with the fix', () => {
  assert.match(cronProblem('0 2 * * *') ?? '', /expected 6 fields.*got 5.*prepend "0 "/);
  for (const ok of ['0 0 2 * * *', '@hourly', '@every 6h', '0 0 0 ? * sun'])
    assert.equal(cronProblem(ok), undefined, ok);
});
