/** Poolers: a Deployment, Service and pods running PgBouncer, with status.instances and phase. */
import { randomBytes } from 'node:crypto';
import { DEFAULT_PGBOUNCER_IMAGE } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject } from '../../types.js';
import { type Clock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { ownerRef, podStatus } from './cluster-objects.js';

export class PoolerReconciler {
  constructor(
    private readonly client: ControllerClient,
    private readonly events: EventRecorder,
    private readonly clock: Clock,
  ) {}

  private labels(pooler: KubeObject, clusterName: string): Record<string, string> {
    return {
      'cnpg.io/poolerName': pooler.metadata.name!,
      'cnpg.io/cluster': clusterName,
      'cnpg.io/podRole': 'pooler',
      'app.kubernetes.io/name': 'pgbouncer',
      'app.kubernetes.io/instance': pooler.metadata.name!,
      'app.kubernetes.io/component': 'pooler',
      'app.kubernetes.io/managed-by': 'cloudnative-pg',
    };
  }

  reconcile(namespace: string, name: string): boolean {
    const pooler = this.client.get('Pooler', namespace, name);
    if (!pooler || pooler.metadata.deletionTimestamp) return false;
    const spec = asRecord(pooler.spec);
    const pgbouncer = asRecord(spec.pgbouncer);
    const clusterName = String(asRecord(spec.cluster).name ?? '');
    const cluster = this.client.get('Cluster', namespace, clusterName);
    const image = typeof pgbouncer.image === 'string' ? pgbouncer.image : DEFAULT_PGBOUNCER_IMAGE;
    if (!cluster) {
      this.client.patchStatus(pooler, {
        phase: 'inactive',
        phaseReason: `Cluster "${clusterName}" not found`,
        instances: 0,
      });
      return false;
    }
    const labels = this.labels(pooler, clusterName);
    const instances = typeof spec.instances === 'number' ? spec.instances : 1;
    const type = (spec.type as string | undefined) ?? 'rw';
    const deployment = this.client.ensure({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels, ownerReferences: [ownerRef(pooler)] },
      spec: {
        replicas: instances,
        selector: { matchLabels: { 'cnpg.io/poolerName': name } },
        template: { metadata: { labels }, spec: { containers: [{ name: 'pgbouncer', image }] } },
      },
    });
    if (asRecord(deployment.spec).replicas !== instances) {
      deployment.spec = { ...asRecord(deployment.spec), replicas: instances };
      this.client.update(deployment);
      return true;
    }
    this.client.ensure({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels, ownerReferences: [ownerRef(pooler)] },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'pgbouncer', port: 5432, protocol: 'TCP', targetPort: 'pgbouncer' }],
        selector: { 'cnpg.io/poolerName': name },
      },
    });
    this.client.ensure({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace, labels, ownerReferences: [ownerRef(pooler)] },
    });
    const pods = this.client
      .list('Pod', namespace, { 'cnpg.io/poolerName': name })
      .filter((p) => !p.metadata.deletionTimestamp);
    const owner = this.client.get('Deployment', namespace, name)!;
    if (pods.length < instances) {
      const now = rfc3339(this.clock.now());
      const podName = `${name}-${randomBytes(5).toString('hex').slice(0, 10)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
      this.client.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName, namespace, labels, ownerReferences: [ownerRef(owner, true)] },
        spec: {
          serviceAccountName: name,
          containers: [{ name: 'pgbouncer', image, ports: [{ name: 'pgbouncer', containerPort: 5432 }] }],
        },
        status: podStatus(image, `10.244.1.${pods.length + 10}`, now, true),
      });
      return true;
    }
    if (pods.length > instances) {
      this.client.delete('Pod', namespace, pods[pods.length - 1]!.metadata.name!);
      return true;
    }
    owner.status = {
      replicas: pods.length,
      readyReplicas: pods.length,
      availableReplicas: pods.length,
      updatedReplicas: pods.length,
    };
    this.client.update(owner);
    const paused = pgbouncer.paused === true;
    const before = asRecord(pooler.status).phase;
    this.client.patchStatus(pooler, {
      instances: pods.length,
      phase: paused ? 'paused' : 'active',
      phaseReason: paused ? 'pgbouncer is paused' : undefined,
      image,
      secrets: {
        serverCA: { name: `${clusterName}-ca` },
        clientCA: { name: `${clusterName}-ca` },
        serverTLS: { name: `${clusterName}-server` },
        pgBouncerSecrets: { authQuery: { name: `${clusterName}-pooler` } },
      },
    });
    if (before !== (paused ? 'paused' : 'active')) {
      this.events.record(
        pooler,
        'Normal',
        'Reconciled',
        `Pooler ${name} (${type}) is ${paused ? 'paused' : 'active'}`,
      );
    }
    return false;
  }
}
