/** Admission warnings as they reach client-node: one header value, several warnings joined by node-fetch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWarningHeader } from '../../../src/kube/warnings.js';
import { withWarnings } from '../../../src/tools/framework/warnings.js';

test('a Warning header value gives each warning text, unquoted', () => {
  assert.deepEqual(parseWarningHeader('299 - "spec.monitoring.enablePodMonitor is deprecated"'), [
    'spec.monitoring.enablePodMonitor is deprecated',
  ]);
  assert.deepEqual(
    parseWarningHeader(
      '299 - "first, with a comma", 299 - "second \\"quoted\\" \\\\ done" "Tue, 01 Dec 2026 10:00:00 GMT"',
    ),
    ['first, with a comma', 'second "quoted" \\ done'],
  );
  assert.deepEqual(parseWarningHeader(''), []);
  // UTF-8 bytes as the API server writes them, handed over as latin1 characters.
  const wire = Buffer.from('299 - "validation webhook is disabled — proceed"', 'utf8').toString('latin1');
  assert.deepEqual(parseWarningHeader(wire), ['validation webhook is disabled — proceed']);
});

test('warnings are added to the text, and to the structured result where the schema has them', () => {
  const outcome = { structured: { message: 'scaled' }, text: 'scaled' };
  assert.equal(withWarnings(outcome, [], true), outcome);
  assert.deepEqual(withWarnings(outcome, ['deprecated'], true), {
    structured: { message: 'scaled', warnings: ['deprecated'] },
    text: 'scaled\nKubernetes warned:\n  - deprecated',
  });
  assert.deepEqual(withWarnings(outcome, ['deprecated'], false).structured, { message: 'scaled' });
});
