/** The same plan and references checks for publication_delete and subscription_delete. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { publicationDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { ToolModule } from '../../../src/tools/context.js';
import { planLogicalDelete } from '../../../src/tools/logical/logical-delete.js';
import { alice, bob, object, refusedWith } from '../backups/fixtures.js';
import { listing, logical } from './fixtures.js';

type Args = z.output<typeof publicationDelete.inputSchema>;

export function logicalDeleteCases(
  kind: 'Publication' | 'Subscription',
  tool: ToolModule,
  parse: (input: Record<string, unknown>) => Args,
): void {
  const noun = kind.toLowerCase();
  const reclaim = `${noun}ReclaimPolicy`;
  const args = (input: Record<string, unknown> = {}) =>
    parse({ cluster: 'orders', name: 'sales', confirm: 'sales', ...input });
  const declaring = logical(kind, 'orders-sales-x', 'orders', 'sales', alice, { [reclaim]: 'retain' });

  test('drop: the reclaim policy becomes delete first, then the object named in the cluster goes', () => {
    assert.deepEqual(planLogicalDelete(kind, args(), declaring, 'team-a'), {
      objectName: 'orders-sales-x',
      reclaimPatch: { spec: { [reclaim]: 'delete' } },
      message: `${noun} sales on team-a/orders deleted (orders-sales-x) and dropped in PostgreSQL`,
    });
  });

  test('no patch when the policy is already delete, or the object is to stay in PostgreSQL', () => {
    const deleting = logical(kind, 'orders-sales', 'orders', 'sales', alice, { [reclaim]: 'delete' });
    assert.equal(planLogicalDelete(kind, args(), deleting, 'team-a').reclaimPatch, undefined);
    const kept = planLogicalDelete(kind, args({ drop: false }), declaring, 'team-a');
    assert.equal(kept.reclaimPatch, undefined);
    assert.match(kept.message, /; kept in PostgreSQL$/);
  });

  test('needs confirm to repeat the name, and an object that declares it', () => {
    assert.throws(
      () => planLogicalDelete(kind, args({ confirm: 'x' }), declaring, 'team-a'),
      refusedWith('confirmation_required', /"sales" \(got "x"\)/),
    );
    assert.throws(
      () => planLogicalDelete(kind, args(), undefined, 'team-a'),
      refusedWith('not_found', new RegExp(`${noun} "sales" is not declared on team-a/orders; ${noun}_list`)),
    );
  });

  test(`declares the Cluster (use) and the ${kind} that declares the name on it (change), found by spec.name`, async () => {
    const refs = Object.values(tool.references);
    assert.deepEqual(
      refs.map((r) => `${r.intent} ${r.kind}`),
      ['use Cluster', `change ${kind}`],
    );
    const kube = listing([
      logical(kind, 'billing-sales', 'billing', 'sales', bob),
      declaring,
      logical(kind, 'orders-other', 'orders', 'other'),
    ]);
    const cluster = object('Cluster', 'orders', alice);
    assert.equal(await refs[1]?.name(args(), { cluster }, kube), 'orders-sales-x');
    assert.equal(await refs[1]?.name(args({ name: 'nope', confirm: 'nope' }), { cluster }, kube), undefined);
  });
}
