/** A running three-instance cluster of alice's, its Pods and volumes, for the operation tools' plan tests. */
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import type { KubeObject } from '../../../src/tools/framework/kinds.js';
import { alice, object } from '../backups/fixtures.js';

export const NOW = new Date('2026-12-01T10:00:00.000Z');

export function runningCluster(
  status: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): ClusterObject {
  const cluster = object('Cluster', 'pg', alice, {
    spec: { instances: 3, storage: { size: '1Gi' } },
    status: {
      phase: 'Cluster in healthy state',
      currentPrimary: 'pg-1',
      targetPrimary: 'pg-1',
      instanceNames: ['pg-1', 'pg-2', 'pg-3'],
      instancesStatus: { healthy: ['pg-1', 'pg-2', 'pg-3'] },
      conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterIsReady' }],
      ...status,
    },
  }) as ClusterObject;
  cluster.metadata.resourceVersion = '42';
  cluster.metadata.annotations = annotations;
  return cluster;
}

/** An object the operator made for `instance` of cluster `cluster` (a Pod or a volume). */
export function instanceObject(
  kind: 'Pod' | 'PersistentVolumeClaim',
  name: string,
  instance: string,
  cluster = 'pg',
  ready = true,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      namespace: 'team-a',
      labels: { 'cnpg.io/cluster': cluster, 'cnpg.io/instanceName': instance },
    },
    ...(kind === 'Pod'
      ? { status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }
      : {}),
  };
}

export const pod = (instance: string, ready = true) => instanceObject('Pod', instance, instance, 'pg', ready);
