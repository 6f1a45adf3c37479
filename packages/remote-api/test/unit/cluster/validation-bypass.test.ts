import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DISABLED_UNTIL_ANNOTATION,
  describeValidation,
  mayRestore,
  overdueValidationReference,
  VALIDATION_ANNOTATION,
  validationState,
} from '../../../src/tools/cluster/validation-bypass.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { accessOf, admin, alice, bob, object } from '../backups/fixtures.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const withAnnotations = (annotations: Record<string, string>) => {
  const cluster = object('Cluster', 'pg', alice);
  cluster.metadata.annotations = annotations;
  return cluster;
};

describe('validationState', () => {
  const cases: [string, Record<string, string>, { disabled: boolean; overdue: boolean }][] = [
    ['validation on', {}, { disabled: false, overdue: false }],
    [
      'off by a shrink, in time',
      { [VALIDATION_ANNOTATION]: 'disabled', [DISABLED_UNTIL_ANNOTATION]: '2026-12-01T10:05:00.000Z' },
      { disabled: true, overdue: false },
    ],
    [
      'off by a shrink, past its time',
      { [VALIDATION_ANNOTATION]: 'disabled', [DISABLED_UNTIL_ANNOTATION]: '2026-12-01T09:59:59.000Z' },
      { disabled: true, overdue: true },
    ],
    ['off outside cnpg-mcp', { [VALIDATION_ANNOTATION]: 'disabled' }, { disabled: true, overdue: false }],
    [
      'a stale time without the bypass',
      { [DISABLED_UNTIL_ANNOTATION]: '2026-12-01T09:00:00.000Z' },
      { disabled: false, overdue: false },
    ],
  ];
  for (const [what, annotations, expected] of cases) {
    test(what, () => {
      const state = validationState(withAnnotations(annotations), NOW);
      assert.deepEqual({ disabled: state.disabled, overdue: state.overdue }, expected);
      assert.ok(
        describeValidation({ ...state, restored: false }) === '' || state.disabled,
        "describeValidation({ ...state, restored: false }) === '' || state.disabled",
      );
    });
  }
});

test('only someone who may change the cluster restores it from a read tool', () => {
  const cluster = object('Cluster', 'pg', alice);
  assert.equal(mayRestore(accessOf(alice), alice, cluster), true);
  assert.equal(mayRestore(accessOf(admin), admin, cluster), true);
  assert.equal(mayRestore(accessOf(bob), bob, cluster), false);
  assert.equal(mayRestore(accessOf(alice, { readOnly: true }), alice, cluster), false);
});

test('the read tools declare the cluster to change only when its bypass is overdue', async () => {
  const reference = overdueValidationReference<{ name: string }>();
  const kube = {} as KubeReads;
  const overdue = withAnnotations({
    [VALIDATION_ANNOTATION]: 'disabled',
    [DISABLED_UNTIL_ANNOTATION]: '2000-01-01T00:00:00Z',
  });
  assert.equal(await reference.name({ name: 'pg' }, { cluster: overdue }, kube), 'pg');
  assert.equal(await reference.name({ name: 'pg' }, { cluster: withAnnotations({}) }, kube), undefined);
  assert.equal(reference.intent, 'change');
  assert.equal(reference.ownership, 'policy');
});
