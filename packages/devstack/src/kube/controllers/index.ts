/** Wires the emulated controllers (garbage collector, CNPG operator) to store events. */
import type { Registry } from '../api/registry.js';
import type { StoreEvent } from '../api/store.js';
import { asRecord, type KubeObject } from '../types.js';
import type { Clock } from '../util/clock.js';
import { ControllerClient } from './client.js';
import { BackupReconciler } from './cnpg/backup-reconciler.js';
import { ClusterReconciler } from './cnpg/cluster-reconciler.js';
import { DATABASE_OBJECT_KINDS, DatabaseObjectsReconciler } from './cnpg/database-objects-reconciler.js';
import type { OperatorSettings } from './cnpg/operator-settings.js';
import { PoolerReconciler } from './cnpg/pooler-reconciler.js';
import { ScheduledBackupReconciler } from './cnpg/scheduled-backup-reconciler.js';
import { EventRecorder } from './events.js';
import { GarbageCollector } from './garbage-collector.js';
import { InstanceLogWriter } from './instance-logs.js';
import type { PodLogs } from './pod-logs.js';
import type { WorkQueue } from './work-queue.js';

export interface ControllerDeps {
  registry: Registry;
  queue: WorkQueue;
  logs: PodLogs;
  clock: Clock;
  settings: OperatorSettings;
}

/** Kinds whose objects point at a Cluster through spec.cluster.name. */
const CLUSTER_DEPENDENTS = ['Backup', 'ScheduledBackup', 'Pooler', ...DATABASE_OBJECT_KINDS];

export class Controllers {
  private unsubscribe: (() => void) | undefined;
  private readonly gc: GarbageCollector;
  private readonly client: ControllerClient;
  private readonly clusters: ClusterReconciler;
  private readonly backups: BackupReconciler;
  private readonly scheduled: ScheduledBackupReconciler;
  private readonly poolers: PoolerReconciler;
  private readonly databaseObjects: DatabaseObjectsReconciler;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: ControllerDeps) {
    this.gc = new GarbageCollector(deps.registry, deps.queue);
    this.client = new ControllerClient(deps.registry);
    const events = new EventRecorder(this.client, deps.clock);
    const instanceLogs = new InstanceLogWriter(deps.logs, deps.clock);
    this.clusters = new ClusterReconciler({
      client: this.client,
      events,
      instanceLogs,
      logs: deps.logs,
      clock: deps.clock,
      settings: deps.settings,
    });
    this.backups = new BackupReconciler(
      this.client,
      events,
      instanceLogs,
      deps.clock,
      deps.settings,
      (key, at) => this.wakeAt(key, at),
    );
    this.scheduled = new ScheduledBackupReconciler(this.client, events, deps.clock, (key, at) =>
      this.wakeAt(key, at),
    );
    this.poolers = new PoolerReconciler(this.client, events, deps.clock);
    this.databaseObjects = new DatabaseObjectsReconciler(this.client, events);
  }

  start(): void {
    this.unsubscribe = this.deps.registry.store.subscribe((event) => this.dispatch(event));
  }

  private enqueue(kind: string, namespace: string, name: string): void {
    const key = `${kind}/${namespace}/${name}`;
    switch (kind) {
      case 'Cluster':
        this.deps.queue.add(key, () => this.clusters.reconcile(namespace, name));
        break;
      case 'Backup':
        this.deps.queue.add(key, () => this.backups.reconcile(namespace, name));
        break;
      case 'ScheduledBackup':
        this.deps.queue.add(key, () => this.scheduled.reconcile(namespace, name));
        break;
      case 'Pooler':
        this.deps.queue.add(key, () => this.poolers.reconcile(namespace, name));
        break;
      default:
        if (DATABASE_OBJECT_KINDS.includes(kind)) {
          this.deps.queue.add(key, () => this.databaseObjects.reconcile(kind, namespace, name));
        }
    }
  }

  private enqueueDependents(namespace: string, clusterName: string): void {
    for (const kind of CLUSTER_DEPENDENTS) {
      for (const obj of this.client.list(kind, namespace)) {
        if (asRecord(asRecord(obj.spec).cluster).name === clusterName)
          this.enqueue(kind, namespace, obj.metadata.name!);
      }
    }
  }

  private enqueueAll(kind: string, namespace: string): void {
    for (const obj of this.client.list(kind, namespace)) this.enqueue(kind, namespace, obj.metadata.name!);
  }

  private dispatch(event: StoreEvent): void {
    this.gc.onEvent(event);
    const obj: KubeObject = event.object;
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const kind = event.rt.kind;
    if (event.rt.group === 'postgresql.cnpg.io') {
      if (kind === 'Cluster') {
        if (event.type === 'DELETED') {
          this.deps.queue.add(`ClusterDeleted/${ns}/${name}`, () => {
            this.databaseObjects.clusterDeleted(ns, name);
            return false;
          });
          return;
        }
        this.enqueue('Cluster', ns, name);
        this.enqueueDependents(ns, name);
        return;
      }
      if (event.type !== 'DELETED') this.enqueue(kind, ns, name);
      if (kind === 'Backup') {
        // Backups of one cluster run one at a time: the next one waits for this one.
        for (const other of this.client.list('Backup', ns)) {
          if (other.metadata.name !== name && asRecord(other.status).phase === 'pending') {
            this.enqueue('Backup', ns, other.metadata.name!);
          }
        }
      }
      if (kind === 'Pooler') {
        // The cluster provides the pooler's certificate when the operator integrates it.
        const clusterName = asRecord(asRecord(obj.spec).cluster).name;
        if (typeof clusterName === 'string') this.enqueue('Cluster', ns, clusterName);
      }
      if (kind === 'Backup') this.enqueueRecovering(ns);
      if (kind === 'DatabaseRole') {
        this.enqueueAll('Database', ns);
        this.enqueueAll('Cluster', ns);
      }
      if (kind === 'ImageCatalog') this.enqueueAll('Cluster', ns);
      return;
    }
    const labels = obj.metadata.labels ?? {};
    if (kind === 'Pod' && event.type === 'DELETED') {
      this.deps.logs.clear(ns, name);
      if (labels['cnpg.io/podRole'] === 'instance' && labels['cnpg.io/cluster']) {
        this.enqueue('Cluster', ns, labels['cnpg.io/cluster']);
      }
      if (labels['cnpg.io/poolerName']) this.enqueue('Pooler', ns, labels['cnpg.io/poolerName']);
    }
    if (kind === 'PersistentVolumeClaim' && event.type === 'DELETED' && labels['cnpg.io/cluster']) {
      this.enqueue('Cluster', ns, labels['cnpg.io/cluster']);
    }
    if (kind === 'VolumeSnapshot') this.enqueueRecovering(ns);
    // The instance managers archive into ObjectStores: one appearing or going changes their archiving.
    if (kind === 'ObjectStore' && event.type !== 'MODIFIED') this.enqueueAll('Cluster', ns);
    if (kind === 'Secret') this.enqueueAll('Pooler', ns);
    if (kind === 'Secret' && labels['cnpg.io/cluster'] === undefined) {
      this.enqueueAll('Cluster', ns);
      this.enqueueAll('DatabaseRole', ns);
    }
  }

  /** Clusters still waiting for the backup or snapshots they bootstrap from. */
  private enqueueRecovering(namespace: string): void {
    for (const cluster of this.client.list('Cluster', namespace)) {
      const recovering = asRecord(asRecord(cluster.spec).bootstrap).recovery !== undefined;
      if (recovering && asRecord(cluster.status).currentPrimary === undefined) {
        this.enqueue('Cluster', namespace, cluster.metadata.name!);
      }
    }
  }

  private wakeAt(key: string, at: Date): void {
    clearTimeout(this.timers.get(key));
    const delay = Math.min(Math.max(at.getTime() - this.deps.clock.now().getTime(), 0), 2 ** 31 - 1);
    const [kind, ns, name] = key.split('/') as [string, string, string];
    const timer = setTimeout(() => this.enqueue(kind, ns, name), delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Every object the operator reconciles gets a look (after loading a saved state). */
  resyncAll(): void {
    for (const kind of ['Cluster', ...CLUSTER_DEPENDENTS]) {
      for (const obj of this.client.list(kind, undefined))
        this.enqueue(kind, obj.metadata.namespace!, obj.metadata.name!);
    }
  }

  /** The clock jumped: everything that waits for a time gets another look. */
  onClockAdvanced(): void {
    for (const kind of ['ScheduledBackup', 'Backup']) {
      for (const obj of this.deps.registry.store.list(this.client.type(kind))) {
        this.enqueue(kind, obj.metadata.namespace!, obj.metadata.name!);
      }
    }
  }

  stop(): void {
    this.unsubscribe?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
