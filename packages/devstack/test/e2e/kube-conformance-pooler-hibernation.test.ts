// Poolers and hibernation as CloudNativePG 1.30 reconciles them (internal/controller/pooler_*.go,
// pkg/reconciler/hibernation): a Pooler's status.instances is its Deployment's replica count while
// pods are still starting, it stays inactive while a Secret it needs is missing, and hibernation
// waits for a healthy cluster.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { clusterManifest, cnpg, openTarget, type Target } from '../support/kube-support.js';

type Obj = { metadata?: { name?: string }; status?: Record<string, unknown> } & Record<string, unknown>;

describe('CNPG poolers and hibernation', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
    await cnpg(t, 'clusters').create(clusterManifest('pg-pool', { instances: 1 }));
    await t.eventually(async () => {
      const c = (await cnpg(t, 'clusters').get('pg-pool')) as Obj;
      return c.status?.phase === 'Cluster in healthy state' ? c : undefined;
    });
  });
  after(async () => {
    await t.close();
  });

  const pooler = (name: string, pgbouncer: Record<string, unknown> = {}, instances = 2) =>
    cnpg(t, 'poolers').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Pooler',
      metadata: { name },
      spec: {
        cluster: { name: 'pg-pool' },
        instances,
        type: 'rw',
        pgbouncer: { poolMode: 'session', ...pgbouncer },
      },
    });

  test('status.instances follows the Deployment replicas, ready or not; pods become ready later', async () => {
    const seen: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      `/apis/apps/v1/namespaces/${t.namespace}/deployments`,
      { fieldSelector: 'metadata.name=pool-rw' },
      (_type, obj: k8s.V1Deployment) => {
        const s = obj.status;
        if (s) seen.push(`${s.replicas ?? 0}/${s.readyReplicas ?? 0}`);
      },
      () => undefined,
    );
    await pooler('pool-rw');
    const active = await t.eventually(async () => {
      const p = (await cnpg(t, 'poolers').get('pool-rw')) as Obj;
      return p.status?.phase === 'active' && p.status?.instances === 2 ? p : undefined;
    });
    await t.eventually(async () => {
      const d = await t.kc
        .makeApiClient(k8s.AppsV1Api)
        .readNamespacedDeployment({ name: 'pool-rw', namespace: t.namespace });
      return d.status?.readyReplicas === 2 ? d : undefined;
    });
    req.abort();
    assert.equal(active.status?.instances, 2);
    // Replicas counted before they were ready, as the Deployment reports them.
    assert.ok(
      seen.some((s) => {
        const [replicas, ready] = s.split('/').map(Number);
        return replicas! > ready!;
      }),
      `some replicas were not ready yet: ${seen.join(' ')}`,
    );
    // Automated authentication: the cluster provides the X-pooler certificate.
    const secret = await t.core.readNamespacedSecret({ name: 'pg-pool-pooler', namespace: t.namespace });
    assert.equal(secret.type, 'kubernetes.io/tls');
    const cluster = (await cnpg(t, 'clusters').get('pg-pool')) as Obj;
    assert.deepEqual(cluster.status?.poolerIntegrations, {
      pgBouncerIntegration: { secrets: ['pg-pool-pooler'] },
    });
  });

  test('a missing TLS Secret keeps the Pooler inactive, with no pods, until it exists', async () => {
    await pooler('pool-tls', { clientTLSSecret: { name: 'pool-client-tls' } }, 1);
    const inactive = await t.eventually(async () => {
      const p = (await cnpg(t, 'poolers').get('pool-tls')) as Obj;
      return p.status?.phase === 'inactive' ? p : undefined;
    });
    assert.equal(inactive.status?.phaseReason, 'ClientTLSSecret "pool-client-tls" not found');
    const pods = await t.core.listNamespacedPod({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/poolerName=pool-tls',
    });
    assert.equal(pods.items.length, 0);
    await t.core.createNamespacedSecret({
      namespace: t.namespace,
      body: {
        metadata: { name: 'pool-client-tls' },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': 'c', 'tls.key': 'k' },
      },
    });
    await t.eventually(async () => {
      const p = (await cnpg(t, 'poolers').get('pool-tls')) as Obj;
      return p.status?.phase === 'active' ? p : undefined;
    });
  });

  test('hibernation waits for the cluster to be healthy', async () => {
    const conditions: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      `/apis/postgresql.cnpg.io/v1/namespaces/${t.namespace}/clusters`,
      { fieldSelector: 'metadata.name=pg-sleepy' },
      (_type, obj: Obj) => {
        const hibernation = (obj.status?.conditions as { type: string; reason: string }[] | undefined)?.find(
          (c) => c.type === 'cnpg.io/hibernation',
        );
        if (hibernation && conditions.at(-1) !== hibernation.reason) conditions.push(hibernation.reason);
      },
      () => undefined,
    );
    // Asked to hibernate before it ever became healthy.
    await cnpg(t, 'clusters').create({
      ...clusterManifest('pg-sleepy', { instances: 2 }),
      metadata: { name: 'pg-sleepy', annotations: { 'cnpg.io/hibernation': 'on' } },
    });
    const hibernated = await t.eventually(async () => {
      const c = (await cnpg(t, 'clusters').get('pg-sleepy')) as Obj;
      const done = (c.status?.conditions as { type: string; reason: string }[] | undefined)?.some(
        (x) => x.type === 'cnpg.io/hibernation' && x.reason === 'Hibernated',
      );
      return done ? c : undefined;
    });
    await t.settle();
    req.abort();
    assert.equal(conditions[0], 'WaitingForHealthy');
    assert.equal(conditions.at(-1), 'Hibernated');
    assert.equal(hibernated.status?.instances, 2, 'both instances were created before hibernating');
    const pods = await t.core.listNamespacedPod({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/cluster=pg-sleepy',
    });
    assert.equal(pods.items.length, 0);
  });
});
