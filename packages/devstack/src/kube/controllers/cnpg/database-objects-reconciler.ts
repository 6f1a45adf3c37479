/**
 * Database, Publication, Subscription and DatabaseRole: reconciled by the primary's instance
 * manager — finalizer on first reconcile, then applied/message/observedGeneration.
 */
import { asRecord, type KubeObject } from '../../types.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';

export const FINALIZERS: Record<string, string> = {
  Database: 'cnpg.io/deleteDatabase',
  Publication: 'cnpg.io/deletePublication',
  Subscription: 'cnpg.io/deleteSubscription',
  DatabaseRole: 'cnpg.io/deleteRole',
};

export const DATABASE_OBJECT_KINDS = Object.keys(FINALIZERS);

interface Outcome {
  applied: boolean;
  message?: string;
  extra?: Record<string, unknown>;
}

export class DatabaseObjectsReconciler {
  constructor(
    private readonly client: ControllerClient,
    private readonly events: EventRecorder,
  ) {}

  reconcile(kind: string, namespace: string, name: string): boolean {
    const obj = this.client.get(kind, namespace, name);
    if (!obj) return false;
    const finalizer = FINALIZERS[kind]!;
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp) {
      if (finalizers.includes(finalizer)) {
        obj.metadata.finalizers = finalizers.filter((f) => f !== finalizer);
        this.client.update(obj);
      }
      return false;
    }
    const clusterName = String(asRecord(asRecord(obj.spec).cluster).name ?? '');
    const cluster = this.client.get('Cluster', namespace, clusterName);
    if (!cluster) return false;
    if (!asRecord(cluster.status).currentPrimary) return false;
    if (!finalizers.includes(finalizer)) {
      obj.metadata.finalizers = [...finalizers, finalizer];
      this.client.update(obj);
      return true;
    }
    const outcome = this.evaluate(kind, obj, cluster);
    const before = asRecord(obj.status);
    this.client.patchStatus(obj, {
      observedGeneration: obj.metadata.generation,
      applied: outcome.applied,
      message: outcome.message,
      ...outcome.extra,
    });
    if (before.applied !== outcome.applied || before.message !== outcome.message) {
      this.events.record(
        obj,
        outcome.applied ? 'Normal' : 'Warning',
        outcome.applied ? 'Reconciled' : 'ReconciliationFailed',
        outcome.applied ? `${kind} reconciled` : String(outcome.message),
      );
    }
    return false;
  }

  /** The cluster was deleted: report it and let the objects go (they are not deleted). */
  clusterDeleted(namespace: string, clusterName: string): void {
    for (const kind of DATABASE_OBJECT_KINDS) {
      for (const obj of this.client.list(kind, namespace)) {
        if (asRecord(asRecord(obj.spec).cluster).name !== clusterName) continue;
        this.client.patchStatus(obj, {
          applied: false,
          message: 'cluster resource has been deleted, skipping reconciliation',
          observedGeneration: 0,
        });
        const fresh = this.client.get(kind, namespace, obj.metadata.name!);
        if (fresh?.metadata.finalizers?.includes(FINALIZERS[kind]!)) {
          fresh.metadata.finalizers = fresh.metadata.finalizers.filter((f) => f !== FINALIZERS[kind]);
          this.client.update(fresh);
        }
      }
    }
  }

  private roleExists(cluster: KubeObject, role: string): boolean {
    const spec = asRecord(cluster.spec);
    const initdb = asRecord(asRecord(spec.bootstrap).initdb);
    const owner = (initdb.owner as string | undefined) ?? (initdb.database as string | undefined) ?? 'app';
    if (role === 'postgres' || role === 'streaming_replica' || role === owner) return true;
    const managed = (asRecord(spec.managed).roles as { name: string; ensure?: string }[] | undefined) ?? [];
    if (managed.some((r) => r.name === role && (r.ensure ?? 'present') === 'present')) return true;
    return this.client
      .list('DatabaseRole', cluster.metadata.namespace)
      .some(
        (r) =>
          asRecord(asRecord(r.spec).cluster).name === cluster.metadata.name &&
          asRecord(r.spec).name === role &&
          asRecord(r.status).applied === true,
      );
  }

  private earlierClaim(kind: string, obj: KubeObject, pgName: unknown): KubeObject | undefined {
    const clusterName = asRecord(asRecord(obj.spec).cluster).name;
    return this.client
      .list(kind, obj.metadata.namespace)
      .filter(
        (o) =>
          o.metadata.uid !== obj.metadata.uid &&
          asRecord(asRecord(o.spec).cluster).name === clusterName &&
          asRecord(o.spec).name === pgName &&
          !o.metadata.deletionTimestamp,
      )
      .find(
        (o) =>
          String(o.metadata.creationTimestamp) + o.metadata.name! <
          String(obj.metadata.creationTimestamp) + obj.metadata.name!,
      );
  }

  private evaluate(kind: string, obj: KubeObject, cluster: KubeObject): Outcome {
    const spec = asRecord(obj.spec);
    const pgName = spec.name;
    const claim = this.earlierClaim(kind, obj, pgName);
    if (claim && kind !== 'DatabaseRole') {
      return {
        applied: false,
        message: `${JSON.stringify(pgName)} is already managed by object ${JSON.stringify(claim.metadata.name)}`,
      };
    }
    switch (kind) {
      case 'Database': {
        const owner = String(spec.owner ?? '');
        if (!this.roleExists(cluster, owner)) {
          return { applied: false, message: `ERROR: role "${owner}" does not exist (SQLSTATE 42704)` };
        }
        const items = (key: string) =>
          ((spec[key] as { name: string }[] | undefined) ?? []).map((i) => ({ name: i.name, applied: true }));
        const extra: Record<string, unknown> = {};
        for (const key of ['schemas', 'extensions', 'fdws', 'servers']) {
          if (Array.isArray(spec[key])) extra[key] = items(key);
        }
        return { applied: true, extra };
      }
      case 'DatabaseRole': {
        const managed =
          (asRecord(asRecord(cluster.spec).managed).roles as { name: string }[] | undefined) ?? [];
        if (managed.some((r) => r.name === pgName)) {
          return { applied: false, message: 'database role is already managed by the CNPG cluster' };
        }
        const secretName = asRecord(spec.passwordSecret).name;
        if (typeof secretName === 'string') {
          const secret = this.client.get('Secret', obj.metadata.namespace, secretName);
          if (!secret) return { applied: false, message: `secrets "${secretName}" not found` };
          return { applied: true, extra: { secretResourceVersion: secret.metadata.resourceVersion } };
        }
        return { applied: true };
      }
      case 'Subscription': {
        const external = (asRecord(cluster.spec).externalClusters as { name: string }[] | undefined) ?? [];
        if (!external.some((e) => e.name === spec.externalClusterName)) {
          return {
            applied: false,
            message: `externalCluster "${String(spec.externalClusterName)}" not found`,
          };
        }
        return { applied: true };
      }
      default:
        return { applied: true };
    }
  }
}
