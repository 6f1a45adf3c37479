/** What every Cluster reconciliation step shares: observed state, status writing, pod start/stop. */
import { imageMajor } from '../../admission/cnpg-webhooks.js';
import { RESTART_PARAMETERS } from '../../admission/postgres-parameters.js';
import { asRecord, type KubeObject } from '../../types.js';
import { type Clock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import type { InstanceLogWriter } from '../instance-logs.js';
import type { PodLogs } from '../pod-logs.js';
import { instancePod } from './cluster-objects.js';
import { type Condition, PHASE, readyCondition, setCondition } from './cluster-status.js';
import { managedRolesStatus } from './managed-roles.js';
import type { OperatorSettings } from './operator-settings.js';
import { continuousArchivingCondition } from './wal-archiving.js';

export const HIBERNATION = 'cnpg.io/hibernation';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface ClusterReconcilerDeps {
  client: ControllerClient;
  events: EventRecorder;
  instanceLogs: InstanceLogWriter;
  logs: PodLogs;
  clock: Clock;
  settings: OperatorSettings;
}

export type Step = boolean | undefined;

export interface Observed {
  cluster: KubeObject;
  name: string;
  ns: string;
  image: string;
  pods: KubeObject[];
  pvcs: KubeObject[];
  status: Record<string, unknown>;
}

export function serialOf(cluster: string, objName: string): number {
  return Number(objName.slice(cluster.length + 1));
}

function bySerial(cluster: string) {
  return (a: KubeObject, b: KubeObject) =>
    serialOf(cluster, a.metadata.name!) - serialOf(cluster, b.metadata.name!);
}

export function fencedInstances(cluster: KubeObject): string[] {
  const raw = cluster.metadata.annotations?.['cnpg.io/fencedInstances'];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

export function isReady(pod: KubeObject): boolean {
  const conditions =
    (asRecord(pod.status).conditions as { type: string; status: string }[] | undefined) ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function parametersOf(cluster: KubeObject): Record<string, string> {
  const params = asRecord(asRecord(asRecord(cluster.spec).postgresql).parameters);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}

/** The restart-only parameters a pod was started with, as a comparable string. */
export function restartParameters(cluster: KubeObject): string {
  const params = parametersOf(cluster);
  return JSON.stringify(
    Object.keys(params)
      .filter((k) => RESTART_PARAMETERS.has(k))
      .sort()
      .map((k) => [k, params[k]]),
  );
}

export class ClusterContext {
  readonly seenReloads = new Map<string, string>();
  /** Parameters the instances have loaded, per cluster uid. */
  readonly appliedParameters = new Map<string, Record<string, string>>();
  /** Restart-only parameters each pod (by uid) started with. */
  readonly podStartParameters = new Map<string, string>();

  constructor(readonly deps: ClusterReconcilerDeps) {}

  get client(): ControllerClient {
    return this.deps.client;
  }

  now(): string {
    return rfc3339(this.deps.clock.now());
  }

  observe(cluster: KubeObject, image: string): Observed {
    const name = cluster.metadata.name!;
    const ns = cluster.metadata.namespace!;
    return {
      cluster,
      name,
      ns,
      image,
      pods: this.client
        .list('Pod', ns, { 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'instance' })
        .filter((p) => !p.metadata.deletionTimestamp)
        .sort(bySerial(name)),
      pvcs: this.client
        .list('PersistentVolumeClaim', ns, { 'cnpg.io/cluster': name, 'cnpg.io/pvcRole': 'PG_DATA' })
        .sort(bySerial(name)),
      status: asRecord(cluster.status),
    };
  }

  desiredInstances(o: Observed): number {
    const n = asRecord(o.cluster.spec).instances;
    return typeof n === 'number' ? n : 1;
  }

  /** The application database and owner from whichever bootstrap method is used. */
  initdbNames(o: Observed): { database: string; owner: string } {
    const bootstrap = asRecord(asRecord(o.cluster.spec).bootstrap);
    const method = asRecord(bootstrap.initdb ?? bootstrap.recovery ?? bootstrap.pg_basebackup);
    const database = typeof method.database === 'string' ? method.database : 'app';
    return { database, owner: typeof method.owner === 'string' ? method.owner : database };
  }

  /** Status fields recomputed from observed pods and PVCs on every write. */
  baseStatus(o: Observed, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const ready = o.pods.filter((p) => isReady(p));
    const primary = (extra.currentPrimary ?? o.status.currentPrimary) as string | undefined;
    const timeline = (extra.timelineID ?? o.status.timelineID ?? 1) as number;
    const alt = (svc: string) => [
      svc,
      `${svc}.${o.ns}`,
      `${svc}.${o.ns}.svc`,
      `${svc}.${o.ns}.svc.cluster.local`,
    ];
    const expiry = new Date(Date.parse(String(o.cluster.metadata.creationTimestamp)) + 90 * 86_400_000);
    const expiryText = `${expiry.toISOString().slice(0, 10)} ${expiry.toISOString().slice(11, 19)} +0000 UTC`;
    const secretRv = (n: string) => this.client.get('Secret', o.ns, n)?.metadata.resourceVersion;
    // Every volume of every instance (data, WAL) counts in the PVC lists.
    const allPvcs = this.client
      .list('PersistentVolumeClaim', o.ns, { 'cnpg.io/cluster': o.name })
      .filter((p) => p.metadata.labels?.['cnpg.io/pvcRole'] !== undefined);
    const pvcReady = allPvcs
      .filter((p) => p.metadata.annotations?.['cnpg.io/pvcStatus'] === 'ready')
      .map((p) => p.metadata.name!)
      .sort();
    const pvcInit = allPvcs
      .filter((p) => p.metadata.annotations?.['cnpg.io/pvcStatus'] !== 'ready')
      .map((p) => p.metadata.name!)
      .sort();
    const jobs = this.client.list('Job', o.ns, { 'cnpg.io/cluster': o.name });
    const { owner } = this.initdbNames(o);
    const status: Record<string, unknown> = {
      instances: o.pvcs.length,
      readyInstances: ready.length,
      instanceNames: o.pvcs.map((p) => p.metadata.name!),
      instancesStatus: ready.length > 0 ? { healthy: ready.map((p) => p.metadata.name!) } : {},
      instancesReportedState: Object.fromEntries(
        o.pods.map((p) => [
          p.metadata.name!,
          { isPrimary: p.metadata.name === primary, timeLineID: timeline, ip: asRecord(p.status).podIP },
        ]),
      ),
      healthyPVC: pvcReady,
      ...(pvcInit.length > 0 ? { initializingPVC: pvcInit } : { initializingPVC: undefined }),
      pvcCount: allPvcs.length,
      jobCount: jobs.length,
      writeService: `${o.name}-rw`,
      readService: `${o.name}-r`,
      selector: `cnpg.io/cluster=${o.name},cnpg.io/podRole=instance`,
      image: o.image,
      pgDataImageInfo: this.dataImage(o),
      certificates: {
        serverCASecret: `${o.name}-ca`,
        serverTLSSecret: `${o.name}-server`,
        clientCASecret: `${o.name}-ca`,
        replicationTLSSecret: `${o.name}-replication`,
        serverAltDNSNames: [...alt(`${o.name}-rw`), ...alt(`${o.name}-r`), ...alt(`${o.name}-ro`)],
        expirations: {
          [`${o.name}-ca`]: expiryText,
          [`${o.name}-server`]: expiryText,
          [`${o.name}-replication`]: expiryText,
        },
      },
      secretsResourceVersion: {
        applicationSecretVersion: secretRv(`${o.name}-app`),
        replicationSecretVersion: secretRv(`${o.name}-replication`),
        serverCaSecretVersion: secretRv(`${o.name}-ca`),
        clientCaSecretVersion: secretRv(`${o.name}-ca`),
        serverSecretVersion: secretRv(`${o.name}-server`),
        ...(secretRv(`${o.name}-superuser`)
          ? { superuserSecretVersion: secretRv(`${o.name}-superuser`) }
          : {}),
      },
      topology: {
        instances: Object.fromEntries(o.pods.map((p) => [p.metadata.name!, {}])),
        nodesUsed: o.pods.length > 0 ? 1 : 0,
        successfullyExtracted: true,
      },
      timelineID: o.pods.length > 0 || o.status.timelineID !== undefined ? timeline : undefined,
      managedRolesStatus: managedRolesStatus(this.client, o.cluster, { owner }),
      ...(secretRv(`${o.name}-pooler`)
        ? { poolerIntegrations: { pgBouncerIntegration: { secrets: [`${o.name}-pooler`] } } }
        : {}),
      cloudNativePGCommitHash: '4b5e244a',
      ...extra,
    };
    let conditions = o.status.conditions as Condition[] | undefined;
    const now = this.now();
    const initialized = (status.instances as number) > 0 && o.pods.length > 0;
    conditions = setCondition(
      conditions,
      initialized || conditions?.some((c) => c.type === 'Initialized' && c.status === 'True')
        ? {
            type: 'Initialized',
            status: 'True',
            reason: 'BootstrapCompleted',
            message: 'Cluster has been bootstrapped',
          }
        : {
            type: 'Initialized',
            status: 'False',
            reason: 'BootstrapPending',
            message: 'Cluster has not been bootstrapped yet',
          },
      now,
    );
    conditions = setCondition(
      conditions,
      o.pods.length > 0
        ? {
            type: 'ConsistentSystemID',
            status: 'True',
            reason: 'Unique',
            message: 'A single, unique system ID was found across reporting instances.',
          }
        : { type: 'ConsistentSystemID', status: 'False', reason: 'NotFound', message: 'No system ID found' },
      now,
    );
    const phase = (extra.phase ?? o.status.phase) as string | undefined;
    conditions = setCondition(conditions, readyCondition(phase === PHASE.healthy), now);
    const archiving = continuousArchivingCondition(this.client, o.cluster, o.pods.length > 0);
    if (archiving) conditions = setCondition(conditions, archiving, now);
    status.conditions = extra.conditions ?? conditions;
    if (o.pods.length > 0) status.systemID = o.status.systemID ?? `74${String(Date.now()).slice(-10)}12345`;
    return status;
  }

  /** The image the data directory belongs to: it changes major only through a major upgrade. */
  dataImage(o: Observed): { image: string; majorVersion: number } {
    const current = asRecord(o.status.pgDataImageInfo);
    const major = imageMajor(o.image) ?? 18;
    if (typeof current.majorVersion === 'number' && current.majorVersion !== major) {
      return { image: String(current.image), majorVersion: current.majorVersion };
    }
    return { image: o.image, majorVersion: major };
  }

  writeStatus(o: Observed, extra: Record<string, unknown>): void {
    this.client.patchStatus(o.cluster, this.baseStatus(o, extra));
  }

  deletePod(o: Observed, podName: string): void {
    this.client.delete('Pod', o.ns, podName);
    this.deps.logs.clear(o.ns, podName);
  }

  startPod(o: Observed, serial: number, role: 'primary' | 'replica', initdb: boolean): KubeObject {
    // A pod can outlive the volume it ran on (the instance's PVC was destroyed and made again
    // under the same lowest-free serial): it is replaced, as the operator does with a pod whose
    // PVC is gone.
    const stale = this.client.get('Pod', o.ns, `${o.name}-${serial}`);
    if (stale) this.deletePod(o, stale.metadata.name!);
    const ready = !this.isFenced(o.cluster, `${o.name}-${serial}`);
    const pod = this.client.create(instancePod(o.cluster, o.image, serial, role, this.now(), ready));
    this.podStartParameters.set(pod.metadata.uid!, restartParameters(o.cluster));
    if (!this.appliedParameters.has(o.cluster.metadata.uid!)) {
      this.appliedParameters.set(o.cluster.metadata.uid!, parametersOf(o.cluster));
    }
    this.deps.instanceLogs.startup(o.ns, pod.metadata.name!, role, initdb);
    return pod;
  }

  isFenced(cluster: KubeObject, instance: string): boolean {
    const fenced = fencedInstances(cluster);
    return fenced.includes('*') || fenced.includes(instance);
  }
}
