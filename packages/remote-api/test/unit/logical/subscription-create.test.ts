import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { subscriptionCreate } from '@cnpg-mcp/catalog';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import {
  planSubscriptionCreate,
  subscriptionCreateTool,
} from '../../../src/tools/logical/subscription-create.js';
import { alice, object, refusedWith } from '../backups/fixtures.js';
import { logical } from './fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  subscriptionCreate.inputSchema.parse({
    cluster: 'orders',
    name: 'sales_sub',
    database: 'app',
    publication: 'sales_pub',
    external_cluster: 'source',
    ...input,
  });
const cluster = object('Cluster', 'orders', alice, {
  spec: { externalClusters: [{ name: 'source', connectionParameters: { host: 'src-rw' } }] },
}) as ClusterObject;

describe('planSubscriptionCreate', () => {
  test('the Subscription to the external cluster’s publication, named <cluster>-<name>', () => {
    const { objectName, body, message } = planSubscriptionCreate(
      args({ publication_database: 'sales' }),
      cluster,
      [],
      'team-a',
    );
    assert.equal(objectName, 'orders-sales-sub');
    assert.deepEqual(body, {
      metadata: { name: 'orders-sales-sub', labels: { 'cnpg.io/cluster': 'orders' } },
      spec: {
        cluster: { name: 'orders' },
        name: 'sales_sub',
        dbname: 'app',
        publicationName: 'sales_pub',
        externalClusterName: 'source',
        publicationDBName: 'sales',
        subscriptionReclaimPolicy: 'retain',
      },
    });
    assert.equal(
      message,
      'subscription sales_sub in orders/app to publication sales_pub of source declared as orders-sales-sub',
    );
  });

  test('an external cluster the cluster does not declare is refused, naming those it does', () => {
    assert.throws(
      () => planSubscriptionCreate(args({ external_cluster: 'elsewhere' }), cluster, [], 'team-a'),
      refusedWith(
        'precondition',
        /"elsewhere" is not in spec.externalClusters of orders \(declared: source\)/,
      ),
    );
    const bare = object('Cluster', 'orders', alice, { spec: {} }) as ClusterObject;
    assert.throws(
      () => planSubscriptionCreate(args(), bare, [], 'team-a'),
      refusedWith('precondition', /\(declared: none\)/),
    );
  });

  test('a subscription of that name already declared on the cluster is refused', () => {
    assert.throws(
      () =>
        planSubscriptionCreate(
          args(),
          cluster,
          [logical('Subscription', 's1', 'orders', 'sales_sub')],
          'team-a',
        ),
      refusedWith('precondition', /subscription "sales_sub" is already declared on team-a\/orders by s1/),
    );
  });

  test('declares its Cluster (use) and the new Subscription', () => {
    assert.deepEqual(
      Object.values(subscriptionCreateTool.references).map((r) => `${r.intent} ${r.kind}`),
      ['use Cluster', 'create Subscription'],
    );
  });
});
