/** The controllers' view of the registry: typed by kind, internal writes, status writes. */
import type { Registry } from '../api/registry.js';
import type { ResourceType } from '../api/resources.js';
import { matchesLabels, selectorFromMap } from '../api/selectors.js';
import { deepClone, deepEqual, type KubeObject } from '../types.js';

const API_VERSION_BY_KIND: Record<string, string> = {
  Namespace: 'v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  Service: 'v1',
  Pod: 'v1',
  PersistentVolumeClaim: 'v1',
  Event: 'v1',
  ServiceAccount: 'v1',
  Deployment: 'apps/v1',
  Job: 'batch/v1',
  PodDisruptionBudget: 'policy/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  Lease: 'coordination.k8s.io/v1',
  VolumeSnapshot: 'snapshot.storage.k8s.io/v1',
  ObjectStore: 'barmancloud.cnpg.io/v1',
};

const FIELD_MANAGER = 'manager';

function apiVersionOfKind(kind: string): string {
  return API_VERSION_BY_KIND[kind] ?? 'postgresql.cnpg.io/v1';
}

export class ControllerClient {
  constructor(readonly registry: Registry) {}

  type(kind: string): ResourceType {
    return this.registry.catalog.byApiVersionKind(apiVersionOfKind(kind), kind);
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const rt = this.type(kind);
    return this.registry.find(rt, rt.namespaced ? namespace : undefined, name);
  }

  /** Objects of a kind; none for a kind this emulated operator version does not serve. */
  list(kind: string, namespace: string | undefined, labels: Record<string, string> = {}): KubeObject[] {
    if (!this.registry.catalog.servesKind(apiVersionOfKind(kind), kind)) return [];
    const selector = selectorFromMap(labels);
    return this.registry.store.list(this.type(kind), namespace, (o) =>
      matchesLabels(selector, o.metadata.labels),
    );
  }

  create(obj: KubeObject): KubeObject {
    const rt = this.type(obj.kind);
    return this.registry.create(rt, obj.metadata.namespace, obj, {
      internal: true,
      fieldManager: FIELD_MANAGER,
    }).object;
  }

  /** Creates the object unless one with that name exists; returns the stored one either way. */
  ensure(obj: KubeObject): KubeObject {
    return this.get(obj.kind, obj.metadata.namespace, obj.metadata.name!) ?? this.create(obj);
  }

  /** Writes a changed object (spec, metadata and status together); skips writes that change nothing. */
  update(obj: KubeObject): KubeObject {
    const rt = this.type(obj.kind);
    return this.registry.update(rt, obj.metadata.namespace, obj.metadata.name!, obj, {
      internal: true,
      fieldManager: FIELD_MANAGER,
    }).object;
  }

  /** Merges `status` into the object's status through the status subresource when it changes. */
  patchStatus(obj: KubeObject, status: Record<string, unknown>): KubeObject {
    const current = this.get(obj.kind, obj.metadata.namespace, obj.metadata.name!);
    if (!current) return obj;
    const next = deepClone(current);
    const merged: Record<string, unknown> = {
      ...((current.status as Record<string, unknown> | undefined) ?? {}),
    };
    for (const [k, v] of Object.entries(status)) {
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    }
    if (deepEqual(merged, current.status ?? {})) return current;
    next.status = merged;
    const rt = this.type(obj.kind);
    return this.registry.update(rt, current.metadata.namespace, current.metadata.name!, next, {
      internal: true,
      subresource: 'status',
      fieldManager: FIELD_MANAGER,
    }).object;
  }

  delete(kind: string, namespace: string | undefined, name: string): void {
    const rt = this.type(kind);
    if (this.registry.find(rt, namespace, name)) {
      this.registry.delete(rt, namespace, name, { propagationPolicy: 'Background' });
    }
  }
}
