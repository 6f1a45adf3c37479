import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityFromClaims } from '../../src/identity.js';
import { InFlightCalls } from '../../src/mcp.js';

const person = (sub: string) =>
  identityFromClaims({ iss: 'https://issuer.example/', sub }, ['mcp:read', 'mcp:write'], 'groups');
const alice = person('alice');
const bob = person('bob');
const running = () => new AbortController().signal;

test('a cancellation aborts the caller’s own call with that id, not another caller’s', () => {
  const calls = new InFlightCalls();
  const hers = calls.start(alice, 7, running());
  const his = calls.start(bob, 7, running());
  assert.equal(calls.cancel(bob, 7), true, 'bob cancels his call 7');
  assert.equal(his.signal.aborted, true, 'his call is aborted');
  assert.equal(hers.signal.aborted, false, 'her call 7 runs on');
  hers.done();
  assert.equal(calls.cancel(alice, 7), false, 'a cancellation after the call ended finds nothing');
});

test('two of one person’s clients with the same request id: a cancellation aborts neither', () => {
  const calls = new InFlightCalls();
  const fromDesktop = calls.start(alice, 3, running());
  const fromCode = calls.start(alice, 3, running());
  assert.equal(calls.cancel(alice, 3), false);
  assert.equal(fromDesktop.signal.aborted, false, 'the first client’s call runs on');
  assert.equal(fromCode.signal.aborted, false, 'the second client’s call runs on');
  // A late cancellation of the finished one must not reach the other.
  fromCode.done();
  assert.equal(calls.cancel(alice, 3), false);
  assert.equal(fromDesktop.signal.aborted, false, 'the call still running is not the one cancelled');
  fromDesktop.done();
  const next = calls.start(alice, 3, running());
  assert.equal(calls.cancel(alice, 3), true, 'once all ended, the id is one call’s again');
  assert.equal(next.signal.aborted, true, 'and its cancellation aborts it');
});

test('the request’s own abort (its connection closed) aborts the call', () => {
  const calls = new InFlightCalls();
  const request = new AbortController();
  const call = calls.start(alice, 1, request.signal);
  request.abort(new Error('closed'));
  assert.equal(call.signal.aborted, true, 'aborted with the request');
});
