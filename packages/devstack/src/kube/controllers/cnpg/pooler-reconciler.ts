/**
 * Poolers as CNPG 1.30 reconciles them (internal/controller/pooler_controller.go, pooler_status.go):
 * nothing while a Cluster has the same name; `inactive` with the missing prerequisite (the cluster,
 * the operator-provided `X-pooler` certificate for automated authentication, the TLS and CA
 * Secrets); then the Deployment, Service and ServiceAccount. The Deployment controller's part is
 * emulated too: pods appear one at a time and become ready one step later. `status.instances` is
 * the Deployment's `status.replicas` (pods created, ready or not), as in CNPG.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_PGBOUNCER_IMAGE } from '../../admission/cnpg-webhooks.js';
import { asRecord, type KubeObject } from '../../types.js';
import { type Clock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { isReady } from './cluster-context.js';
import { ownerRef, podStatus } from './cluster-objects.js';

const name = (ref: unknown) => {
  const value = asRecord(ref).name;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

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

  private setPhase(pooler: KubeObject, phase: string, reason: string | undefined): void {
    this.client.patchStatus(pooler, { phase, phaseReason: reason });
  }

  /** The Secrets a Pooler needs, in the order CNPG checks them (waitForPrerequisites). */
  private missingPrerequisite(pooler: KubeObject, clusterName: string): string | undefined {
    const ns = pooler.metadata.namespace;
    const pgbouncer = asRecord(asRecord(pooler.spec).pgbouncer);
    const serverTLS = name(pgbouncer.serverTLSSecret);
    const automated = !pgbouncer.authQuery && !name(pgbouncer.authQuerySecret) && !serverTLS;
    const checks: [string, string | undefined][] = [
      [
        'AuthUserSecret',
        automated ? (name(pgbouncer.authQuerySecret) ?? `${clusterName}-pooler`) : undefined,
      ],
      ['ServerTLSSecret', serverTLS],
      ['ClientTLSSecret', name(pgbouncer.clientTLSSecret) ?? `${clusterName}-server`],
      ['ClientCASecret', name(pgbouncer.clientCASecret) ?? `${clusterName}-ca`],
      ['ServerCASecret', name(pgbouncer.serverCASecret) ?? `${clusterName}-ca`],
    ];
    for (const [what, secretName] of checks) {
      if (secretName && !this.client.get('Secret', ns, secretName))
        return `${what} "${secretName}" not found`;
    }
    return undefined;
  }

  reconcile(namespace: string, poolerName: string): boolean {
    const pooler = this.client.get('Pooler', namespace, poolerName);
    if (!pooler || pooler.metadata.deletionTimestamp) return false;
    if (this.client.get('Cluster', namespace, poolerName)) {
      this.events.record(
        pooler,
        'Warning',
        'NameClash',
        'Name clash between Pooler and Cluster detected, resource reconciliation skipped',
      );
      return false;
    }
    const spec = asRecord(pooler.spec);
    const pgbouncer = asRecord(spec.pgbouncer);
    const clusterName = String(asRecord(spec.cluster).name ?? '');
    if (!this.client.get('Cluster', namespace, clusterName)) {
      this.setPhase(pooler, 'inactive', `Cluster "${clusterName}" not found`);
      return false;
    }
    const missing = this.missingPrerequisite(pooler, clusterName);
    if (missing) {
      this.setPhase(pooler, 'inactive', missing);
      return false;
    }
    const image = typeof pgbouncer.image === 'string' ? pgbouncer.image : DEFAULT_PGBOUNCER_IMAGE;
    const labels = this.labels(pooler, clusterName);
    const instances = typeof spec.instances === 'number' ? spec.instances : 1;
    const owned = { namespace, labels, ownerReferences: [ownerRef(pooler)] };
    const deployment = this.client.ensure({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: poolerName, ...owned },
      spec: {
        replicas: instances,
        selector: { matchLabels: { 'cnpg.io/poolerName': poolerName } },
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
      metadata: { name: poolerName, ...owned },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'pgbouncer', port: 5432, protocol: 'TCP', targetPort: 'pgbouncer' }],
        selector: { 'cnpg.io/poolerName': poolerName },
      },
    });
    this.client.ensure({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: poolerName, ...owned },
    });
    const again = this.deploymentStep(deployment, labels, image, instances);
    this.writeStatus(pooler, clusterName, image);
    return again;
  }

  /** The Deployment controller: one pod created, or one made ready, per step. True while it works. */
  private deploymentStep(
    deployment: KubeObject,
    labels: Record<string, string>,
    image: string,
    instances: number,
  ): boolean {
    const ns = deployment.metadata.namespace!;
    const poolerName = deployment.metadata.name!;
    const pods = this.client
      .list('Pod', ns, { 'cnpg.io/poolerName': poolerName })
      .filter((p) => !p.metadata.deletionTimestamp);
    let changed = true;
    const starting = pods.find((p) => !isReady(p));
    if (pods.length < instances) {
      const suffix = `${randomBytes(5).toString('hex').slice(0, 10)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
      this.client.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${poolerName}-${suffix}`,
          namespace: ns,
          labels,
          ownerReferences: [ownerRef(deployment, true)],
        },
        spec: {
          serviceAccountName: poolerName,
          containers: [{ name: 'pgbouncer', image, ports: [{ name: 'pgbouncer', containerPort: 5432 }] }],
        },
        status: podStatus(image, `10.244.1.${(pods.length % 200) + 10}`, rfc3339(this.clock.now()), false),
      });
    } else if (pods.length > instances) {
      this.client.delete('Pod', ns, pods[pods.length - 1]!.metadata.name!);
    } else if (starting) {
      const status = asRecord(starting.status);
      starting.status = podStatus(image, String(status.podIP), String(status.startTime), true);
      this.client.update(starting);
    } else {
      changed = false;
    }
    const current = this.client
      .list('Pod', ns, { 'cnpg.io/poolerName': poolerName })
      .filter((p) => !p.metadata.deletionTimestamp);
    const ready = current.filter((p) => isReady(p)).length;
    const latest = this.client.get('Deployment', ns, poolerName)!;
    latest.status = {
      observedGeneration: latest.metadata.generation,
      replicas: current.length,
      updatedReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(current.length > ready ? { unavailableReplicas: current.length - ready } : {}),
    };
    this.client.update(latest);
    return changed;
  }

  /** pooler_status.go: instances from the Deployment's replicas, the phase, the Secrets in use. */
  private writeStatus(pooler: KubeObject, clusterName: string, image: string): void {
    const ns = pooler.metadata.namespace;
    const pgbouncer = asRecord(asRecord(pooler.spec).pgbouncer);
    const deployment = this.client.get('Deployment', ns, pooler.metadata.name!);
    const secret = (secretName: string) => ({
      name: secretName,
      version: this.client.get('Secret', ns, secretName)?.metadata.resourceVersion,
    });
    const serverTLS = name(pgbouncer.serverTLSSecret);
    const authSecret =
      name(pgbouncer.authQuerySecret) ??
      (serverTLS || pgbouncer.authQuery ? undefined : `${clusterName}-pooler`);
    const paused = pgbouncer.paused === true;
    this.client.patchStatus(pooler, {
      instances: Number(asRecord(deployment?.status).replicas ?? 0),
      phase: paused ? 'paused' : 'active',
      phaseReason: paused ? 'pgbouncer is paused' : undefined,
      image,
      secrets: {
        serverCA: secret(name(pgbouncer.serverCASecret) ?? `${clusterName}-ca`),
        clientCA: secret(name(pgbouncer.clientCASecret) ?? `${clusterName}-ca`),
        clientTLS: secret(name(pgbouncer.clientTLSSecret) ?? `${clusterName}-server`),
        ...(serverTLS ? { serverTLS: secret(serverTLS) } : {}),
        ...(authSecret ? { pgBouncerSecrets: { authQuery: secret(authSecret) } } : {}),
      },
    });
  }
}
