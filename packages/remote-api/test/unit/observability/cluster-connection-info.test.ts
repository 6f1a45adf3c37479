import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterConnectionInfo } from '@cnpg-mcp/catalog';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import {
  clusterConnectionInfoTool,
  connectionInfo,
} from '../../../src/tools/observability/cluster-connection-info.js';
import { alice, object } from '../backups/fixtures.js';

const args = clusterConnectionInfo.inputSchema.parse({ name: 'pg' });

test('cluster_connection_info: services, poolers, database, user and Secret names (never a value); it reads the Cluster', () => {
  const cluster = object('Cluster', 'pg', alice, {
    spec: {
      bootstrap: { initdb: { database: 'shop', owner: 'shop' } },
      managed: { services: { disabledDefaultServices: ['r'] } },
      enableSuperuserAccess: true,
    },
  }) as ClusterObject;
  const poolers = [
    object('Pooler', 'pg-pool', alice, { spec: { cluster: { name: 'pg' }, type: 'ro' } }),
    object('Pooler', 'x-pool', alice, { spec: { cluster: { name: 'x' } } }),
  ];
  const info = connectionInfo(args, 'team-a', cluster, poolers);
  assert.deepEqual(
    info.structured.endpoints.map((e) => `${e.host} ${e.purpose}`),
    [
      'pg-rw.team-a.svc read-write (primary)',
      'pg-ro.team-a.svc read-only (replicas)',
      'pg-pool.team-a.svc PgBouncer pooler (ro)',
    ],
  );
  assert.equal(info.structured.database, 'shop');
  assert.equal(info.structured.user, 'shop');
  assert.equal(info.structured.secretName, 'pg-app');
  assert.equal(info.structured.superuserSecretName, 'pg-superuser');
  assert.equal(info.structured.ca, 'pg-ca');
  assert.equal(info.structured.uri, 'postgresql://shop@pg-rw.team-a.svc:5432/shop?sslmode=require');
  const plain = connectionInfo(args, 'team-a', object('Cluster', 'pg', alice) as ClusterObject, []);
  assert.equal(plain.structured.user, 'app');
  assert.equal(plain.structured.superuserSecretName, '');
  assert.deepEqual(
    Object.values(clusterConnectionInfoTool.references).map((r) => `${r.intent} ${r.kind}`),
    ['read Cluster'],
  );
});
