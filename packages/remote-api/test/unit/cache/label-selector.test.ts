/** Label selectors the watch cache evaluates itself, with Kubernetes' meaning; anything else reads through. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesLabels, parseLabelSelector, requiresLabel } from '../../../src/cache/label-selector.js';

const labels = { 'cnpg.io/cluster': 'pg', 'cnpg.io/podRole': 'instance', role: 'primary' };

function matches(selector: string, on: Record<string, string> = labels): boolean {
  const requirements = parseLabelSelector(selector);
  assert.ok(requirements, `parsed ${selector}`);
  return matchesLabels(requirements, on);
}

describe('label selectors', () => {
  test('equality, inequality, sets and existence, as Kubernetes means them', () => {
    assert.equal(matches(''), true);
    assert.equal(matches('cnpg.io/cluster=pg'), true);
    assert.equal(matches('cnpg.io/cluster==pg'), true);
    assert.equal(matches('cnpg.io/cluster=other'), false);
    assert.equal(matches('cnpg.io/cluster=pg,cnpg.io/podRole=instance'), true);
    assert.equal(matches('cnpg.io/cluster=pg, role=replica'), false);
    assert.equal(matches('role!=replica'), true);
    assert.equal(matches('missing!=x'), true, '!= matches objects without the label');
    assert.equal(matches('role in (primary, replica)'), true);
    assert.equal(matches('role notin (primary)'), false);
    assert.equal(matches('missing notin (x)'), true);
    assert.equal(matches('cnpg.io/cluster'), true);
    assert.equal(matches('!cnpg.io/cluster'), false);
    assert.equal(matches('!missing'), true);
    assert.equal(matches('cnpg.io/cluster=pg,role in (primary),!missing'), true);
    assert.equal(matches('cnpg.io/cluster='), false);
    assert.equal(matches('empty=', { empty: '' }), true);
  });

  test('what it does not understand is undefined (read from the API server)', () => {
    for (const selector of ['a=b=c', 'a in b', 'a in (b', '=b', 'a b', 'a=(b)', 'UPPER/x=y', 'a>1']) {
      assert.equal(parseLabelSelector(selector), undefined, selector);
    }
  });

  test('whether every object a selector matches carries a label', () => {
    const requirements = (selector: string) => parseLabelSelector(selector) ?? assert.fail(selector);
    assert.equal(requiresLabel(requirements('cnpg.io/cluster=pg'), 'cnpg.io/cluster'), true);
    assert.equal(requiresLabel(requirements('cnpg.io/cluster in (a,b)'), 'cnpg.io/cluster'), true);
    assert.equal(requiresLabel(requirements('cnpg.io/cluster'), 'cnpg.io/cluster'), true);
    assert.equal(requiresLabel(requirements('cnpg.io/cluster!=pg'), 'cnpg.io/cluster'), false);
    assert.equal(requiresLabel(requirements('role=primary'), 'cnpg.io/cluster'), false);
    assert.equal(requiresLabel(requirements(''), 'cnpg.io/cluster'), false);
  });
});
