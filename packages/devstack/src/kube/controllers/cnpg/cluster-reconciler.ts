/**
 * The emulated CNPG operator (plus instance managers) for Cluster objects. Each call performs one
 * observable step — creating the primary, joining a replica, promoting, restarting one instance,
 * resizing volumes — and reports whether more steps are needed, so a watch sees the same status
 * timeline a real cluster goes through.
 */
import { imageMajor } from '../../admission/cnpg-webhooks.js';
import { RESTART_PARAMETERS } from '../../admission/postgres-parameters.js';
import { asRecord, isPlainObject, type KubeObject } from '../../types.js';
import { type Clock, rfc3339, rfc3339Micro } from '../../util/clock.js';
import { parseQuantity } from '../../util/quantity.js';
import type { ControllerClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import type { InstanceLogWriter } from '../instance-logs.js';
import type { PodLogs } from '../pod-logs.js';
import {
  bootstrapJobRole,
  certificateSecrets,
  clusterImage,
  credentialSecret,
  instanceJob,
  instancePod,
  instancePvc,
  podDisruptionBudgets,
  podStatus,
  serviceAccount,
  services,
} from './cluster-objects.js';
import { type Condition, PHASE, readyCondition, removeCondition, setCondition } from './cluster-status.js';
import { managedRolesStatus } from './managed-roles.js';

const HIBERNATION = 'cnpg.io/hibernation';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface ClusterReconcilerDeps {
  client: ControllerClient;
  events: EventRecorder;
  instanceLogs: InstanceLogWriter;
  logs: PodLogs;
  clock: Clock;
}

type Step = boolean | undefined;

interface Observed {
  cluster: KubeObject;
  name: string;
  ns: string;
  image: string;
  pods: KubeObject[];
  pvcs: KubeObject[];
  status: Record<string, unknown>;
}

function serialOf(cluster: string, objName: string): number {
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

function isReady(pod: KubeObject): boolean {
  const conditions =
    (asRecord(pod.status).conditions as { type: string; status: string }[] | undefined) ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function parametersOf(cluster: KubeObject): Record<string, string> {
  const params = asRecord(asRecord(asRecord(cluster.spec).postgresql).parameters);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}

/** The restart-only parameters a pod was started with, as a comparable string. */
function restartParameters(cluster: KubeObject): string {
  const params = parametersOf(cluster);
  return JSON.stringify(
    Object.keys(params)
      .filter((k) => RESTART_PARAMETERS.has(k))
      .sort()
      .map((k) => [k, params[k]]),
  );
}

export class ClusterReconciler {
  private readonly seenReloads = new Map<string, string>();
  /** Parameters the instances have loaded, per cluster uid. */
  private readonly appliedParameters = new Map<string, Record<string, string>>();
  /** Restart-only parameters each pod (by uid) started with. */
  private readonly podStartParameters = new Map<string, string>();

  constructor(private readonly deps: ClusterReconcilerDeps) {}

  private get client(): ControllerClient {
    return this.deps.client;
  }

  private now(): string {
    return rfc3339(this.deps.clock.now());
  }

  /** One reconciliation step; true when another step is needed. */
  reconcile(namespace: string, name: string): boolean {
    const cluster = this.client.get('Cluster', namespace, name);
    if (!cluster || cluster.metadata.deletionTimestamp) return false;
    if (cluster.metadata.annotations?.['cnpg.io/reconciliationLoop'] === 'disabled') return false;
    const image = this.resolveImage(cluster);
    if (image === undefined) return false;
    const o = this.observe(cluster, image);
    if (!isPlainObject(cluster.status) || cluster.status.certificates === undefined)
      return this.initialize(o);
    if (this.ensureSupportObjects(o)) return true;
    if (cluster.metadata.annotations?.[HIBERNATION] === 'on') return this.hibernate(o);
    if ((o.status.conditions as Condition[] | undefined)?.some((c) => c.type === HIBERNATION))
      return this.rehydrate(o);
    // Each step answers true (acted, come back), false (stop here) or undefined (nothing to do).
    const steps: ((o: Observed) => Step)[] = [
      (x) => this.completeJobs(x),
      (x) => this.createPrimary(x),
      (x) => this.startMajorUpgrade(x),
      (x) => this.recreateMissingPods(x),
      (x) => this.scaleUp(x),
      (x) => this.scaleDown(x),
      (x) => this.switchover(x),
      (x) => this.applyParameters(x),
      (x) => this.restartPrimaryInPlace(x),
      (x) => this.rollOut(x),
      (x) => this.resizeStorage(x),
      (x) => this.syncFencing(x),
      (x) => this.reload(x),
    ];
    for (const step of steps) {
      const outcome = step(o);
      if (outcome !== undefined) return outcome;
    }
    return this.markHealthy(o);
  }

  private resolveImage(cluster: KubeObject): string | undefined {
    const ref = asRecord(asRecord(cluster.spec).imageCatalogRef);
    if (!ref.name) return clusterImage(cluster);
    const catalog = this.client.get(String(ref.kind), cluster.metadata.namespace, String(ref.name));
    const images = (asRecord(catalog?.spec).images as { image: string; major: number }[] | undefined) ?? [];
    const entry = images.find((i) => i.major === ref.major);
    if (!entry) {
      this.client.patchStatus(cluster, {
        phase: PHASE.imageCatalogError,
        phaseReason: catalog
          ? `selected major version is not available in the catalog`
          : `catalog ${String(ref.kind)}/${String(ref.name)} not found`,
        conditions: setCondition(
          asRecord(cluster.status).conditions as Condition[] | undefined,
          readyCondition(false),
          this.now(),
        ),
      });
      return undefined;
    }
    return entry.image;
  }

  private observe(cluster: KubeObject, image: string): Observed {
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

  private desiredInstances(o: Observed): number {
    const n = asRecord(o.cluster.spec).instances;
    return typeof n === 'number' ? n : 1;
  }

  /** The application database and owner from whichever bootstrap method is used. */
  private initdbNames(o: Observed): { database: string; owner: string } {
    const bootstrap = asRecord(asRecord(o.cluster.spec).bootstrap);
    const method = asRecord(bootstrap.initdb ?? bootstrap.recovery ?? bootstrap.pg_basebackup);
    const database = typeof method.database === 'string' ? method.database : 'app';
    return { database, owner: typeof method.owner === 'string' ? method.owner : database };
  }

  /** Status fields recomputed from observed pods and PVCs on every write. */
  private baseStatus(o: Observed, extra: Record<string, unknown> = {}): Record<string, unknown> {
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
    const pvcReady = o.pvcs
      .filter((p) => p.metadata.annotations?.['cnpg.io/pvcStatus'] === 'ready')
      .map((p) => p.metadata.name!);
    const pvcInit = o.pvcs
      .filter((p) => p.metadata.annotations?.['cnpg.io/pvcStatus'] !== 'ready')
      .map((p) => p.metadata.name!);
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
      pvcCount: o.pvcs.length,
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
    status.conditions = extra.conditions ?? conditions;
    if (o.pods.length > 0) status.systemID = o.status.systemID ?? `74${String(Date.now()).slice(-10)}12345`;
    return status;
  }

  /** The image the data directory belongs to: it changes major only through a major upgrade. */
  private dataImage(o: Observed): { image: string; majorVersion: number } {
    const current = asRecord(o.status.pgDataImageInfo);
    const major = imageMajor(o.image) ?? 18;
    if (typeof current.majorVersion === 'number' && current.majorVersion !== major) {
      return { image: String(current.image), majorVersion: current.majorVersion };
    }
    return { image: o.image, majorVersion: major };
  }

  private writeStatus(o: Observed, extra: Record<string, unknown>): void {
    this.client.patchStatus(o.cluster, this.baseStatus(o, extra));
  }

  private initialize(o: Observed): boolean {
    for (const secret of certificateSecrets(o.cluster, o.image)) this.client.ensure(secret);
    this.ensureSupportObjects(o);
    this.writeStatus(o, {});
    this.deps.events.record(o.cluster, 'Normal', 'CreatingCluster', 'Cluster objects created');
    return true;
  }

  /** Secrets, services, service account and PDBs; true when something was created or removed. */
  private ensureSupportObjects(o: Observed): boolean {
    const spec = asRecord(o.cluster.spec);
    let changed = false;
    const ensure = (obj: KubeObject) => {
      if (!this.client.get(obj.kind, o.ns, obj.metadata.name!)) {
        this.client.create(obj);
        changed = true;
      }
    };
    for (const secret of certificateSecrets(o.cluster, o.image)) ensure(secret);
    const bootstrap = asRecord(spec.bootstrap);
    const userSecret = ['initdb', 'recovery', 'pg_basebackup'].some(
      (m) => asRecord(bootstrap[m]).secret !== undefined,
    );
    const { database, owner } = this.initdbNames(o);
    if (!userSecret) ensure(credentialSecret(o.cluster, o.image, 'app', database, owner));
    const superuserName = `${o.name}-superuser`;
    if (spec.enableSuperuserAccess === true && spec.superuserSecret === undefined) {
      ensure(credentialSecret(o.cluster, o.image, 'superuser', '*', 'postgres'));
    } else if (
      this.client.get('Secret', o.ns, superuserName)?.metadata.labels?.['cnpg.io/userType'] === 'superuser'
    ) {
      this.client.delete('Secret', o.ns, superuserName);
      changed = true;
    }
    const wanted = services(o.cluster, o.image);
    for (const svc of wanted) ensure(svc);
    for (const suffix of ['ro', 'r']) {
      const svcName = `${o.name}-${suffix}`;
      if (!wanted.some((s) => s.metadata.name === svcName) && this.client.get('Service', o.ns, svcName)) {
        this.client.delete('Service', o.ns, svcName);
        changed = true;
      }
    }
    ensure(serviceAccount(o.cluster, o.image));
    const maintenance = asRecord(spec.nodeMaintenanceWindow);
    const pdbWanted =
      spec.enablePDB !== false && !(maintenance.inProgress === true && maintenance.reusePVC !== false)
        ? podDisruptionBudgets(o.cluster, o.image, this.desiredInstances(o))
        : [];
    for (const pdb of pdbWanted) ensure(pdb);
    for (const existing of this.client.list('PodDisruptionBudget', o.ns, { 'cnpg.io/cluster': o.name })) {
      if (!pdbWanted.some((p) => p.metadata.name === existing.metadata.name)) {
        this.client.delete('PodDisruptionBudget', o.ns, existing.metadata.name!);
        changed = true;
      }
    }
    return changed;
  }

  private hibernate(o: Observed): boolean {
    const conditions = o.status.conditions as Condition[] | undefined;
    if (o.pods.length > 0) {
      const primary = o.pods.find((p) => p.metadata.name === o.status.currentPrimary);
      const victim = primary ?? o.pods[o.pods.length - 1]!;
      this.client.patchStatus(o.cluster, {
        conditions: setCondition(
          conditions,
          {
            type: HIBERNATION,
            status: 'False',
            reason: 'DeletingPods',
            message: 'Hibernation is in progress',
          },
          this.now(),
        ),
      });
      this.deletePod(o, victim.metadata.name!);
      return true;
    }
    this.writeStatus(o, {
      conditions: setCondition(
        conditions,
        { type: HIBERNATION, status: 'True', reason: 'Hibernated', message: 'Cluster has been hibernated' },
        this.now(),
      ),
    });
    return false;
  }

  private rehydrate(o: Observed): boolean {
    this.client.patchStatus(o.cluster, {
      conditions: removeCondition(o.status.conditions as Condition[] | undefined, HIBERNATION),
    });
    this.deps.events.record(o.cluster, 'Normal', 'Rehydrating', 'Cluster is being rehydrated');
    return true;
  }

  private deletePod(o: Observed, podName: string): void {
    this.client.delete('Pod', o.ns, podName);
    this.deps.logs.clear(o.ns, podName);
  }

  private startPod(o: Observed, serial: number, role: 'primary' | 'replica', initdb: boolean): KubeObject {
    const ready = !this.isFenced(o.cluster, `${o.name}-${serial}`);
    const pod = this.client.create(instancePod(o.cluster, o.image, serial, role, this.now(), ready));
    this.podStartParameters.set(pod.metadata.uid!, restartParameters(o.cluster));
    if (!this.appliedParameters.has(o.cluster.metadata.uid!)) {
      this.appliedParameters.set(o.cluster.metadata.uid!, parametersOf(o.cluster));
    }
    this.deps.instanceLogs.startup(o.ns, pod.metadata.name!, role, initdb);
    return pod;
  }

  private isFenced(cluster: KubeObject, instance: string): boolean {
    const fenced = fencedInstances(cluster);
    return fenced.includes('*') || fenced.includes(instance);
  }

  private completeJobs(o: Observed): Step {
    const jobs = this.client.list('Job', o.ns, { 'cnpg.io/cluster': o.name });
    const job = jobs[0];
    if (!job) return undefined;
    const instance = job.metadata.labels?.['cnpg.io/instanceName'] ?? '';
    const serial = serialOf(o.name, instance);
    if (job.metadata.labels?.['cnpg.io/jobRole'] === 'major-upgrade')
      return this.finishMajorUpgrade(o, job, serial);
    const initdb = job.metadata.labels?.['cnpg.io/jobRole'] !== 'join';
    this.client.delete('Job', o.ns, job.metadata.name!);
    const pvc = this.client.get('PersistentVolumeClaim', o.ns, instance);
    if (pvc) {
      pvc.metadata.annotations = { ...pvc.metadata.annotations, 'cnpg.io/pvcStatus': 'ready' };
      this.client.update(pvc);
    }
    const role = initdb ? 'primary' : 'replica';
    const pod = this.startPod(o, serial, role, initdb);
    const refreshed = this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image);
    const extra: Record<string, unknown> = {};
    if (initdb) {
      const now = rfc3339Micro(this.deps.clock.now());
      Object.assign(extra, {
        currentPrimary: pod.metadata.name,
        currentPrimaryTimestamp: now,
        timelineID: 1,
      });
      const method = job.metadata.labels?.['cnpg.io/jobRole'];
      this.deps.events.record(o.cluster, 'Normal', 'CreatingInstance', `Primary instance (${method})`);
    } else {
      this.deps.events.record(o.cluster, 'Normal', 'CreatingInstance', `Creating instance ${instance}`);
    }
    this.writeStatus(refreshed, extra);
    return true;
  }

  /** A higher PostgreSQL major in the image: stop every instance and run pg_upgrade offline. */
  private startMajorUpgrade(o: Observed): Step {
    const from = asRecord(o.status.pgDataImageInfo);
    const to = imageMajor(o.image);
    const primary = o.status.currentPrimary as string | undefined;
    if (typeof from.majorVersion !== 'number' || to === undefined || to <= from.majorVersion || !primary)
      return undefined;
    for (const pod of o.pods) this.deletePod(o, pod.metadata.name!);
    this.client.create(instanceJob(o.cluster, o.image, serialOf(o.name, primary), 'major-upgrade'));
    this.deps.events.record(
      o.cluster,
      'Normal',
      'MajorUpgrade',
      `Upgrading from major ${from.majorVersion} to ${to}`,
    );
    this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {
      phase: PHASE.majorUpgrade,
      phaseReason: `Upgrading PostgreSQL from major version ${from.majorVersion} to ${to}`,
      targetPgDataImageInfo: { image: o.image, majorVersion: to },
    });
    return true;
  }

  /** pg_upgrade done: the primary restarts on the new image; replicas are re-cloned from scratch. */
  private finishMajorUpgrade(o: Observed, job: KubeObject, serial: number): Step {
    this.client.delete('Job', o.ns, job.metadata.name!);
    const primary = `${o.name}-${serial}`;
    for (const pvc of o.pvcs) {
      if (pvc.metadata.name !== primary)
        this.client.delete('PersistentVolumeClaim', o.ns, pvc.metadata.name!);
    }
    this.startPod(o, serial, 'primary', false);
    const refreshed = this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image);
    this.writeStatus(refreshed, {
      pgDataImageInfo: { image: o.image, majorVersion: imageMajor(o.image) ?? 18 },
      targetPgDataImageInfo: undefined,
    });
    return true;
  }

  private createPrimary(o: Observed): Step {
    if (o.pvcs.length > 0) return undefined;
    const instance = `${o.name}-1`;
    this.client.create(instancePvc(o.cluster, o.image, 1, 'initializing', 'primary'));
    this.client.create(instanceJob(o.cluster, o.image, 1, bootstrapJobRole(o.cluster)));
    this.writeStatus(this.observe(o.cluster, o.image), {
      phase: PHASE.firstPrimary,
      phaseReason: `Creating primary instance ${instance}`,
      targetPrimary: instance,
      targetPrimaryTimestamp: rfc3339Micro(this.deps.clock.now()),
    });
    return true;
  }

  /** Deleted instance pods come back from their PVCs; a lost primary is failed over first. */
  private recreateMissingPods(o: Observed): Step {
    const podNames = new Set(o.pods.map((p) => p.metadata.name));
    const missingPvcs = o.pvcs.filter(
      (pvc) =>
        !podNames.has(pvc.metadata.name) && pvc.metadata.annotations?.['cnpg.io/pvcStatus'] === 'ready',
    );
    if (missingPvcs.length === 0) return undefined;
    const currentPrimary = o.status.currentPrimary as string | undefined;
    const targetPrimary = o.status.targetPrimary as string | undefined;
    if (targetPrimary && currentPrimary && targetPrimary !== currentPrimary) return undefined;
    const primaryMissing = missingPvcs.some((p) => p.metadata.name === currentPrimary);
    const survivor = o.pods.find((p) => p.metadata.name !== currentPrimary && isReady(p));
    if (primaryMissing && survivor && currentPrimary) {
      this.writeStatus(o, {
        targetPrimary: survivor.metadata.name,
        targetPrimaryTimestamp: rfc3339Micro(this.deps.clock.now()),
        phase: PHASE.failover,
        phaseReason: `Failing over from ${currentPrimary} to ${survivor.metadata.name}`,
      });
      this.deps.events.record(
        o.cluster,
        'Warning',
        'FailingOver',
        `Failing over from ${currentPrimary} to ${survivor.metadata.name}`,
      );
      return true;
    }
    // The primary comes back first (after hibernation it must keep its role).
    const missing = missingPvcs.find((p) => p.metadata.name === currentPrimary) ?? missingPvcs[0]!;
    const instance = missing.metadata.name!;
    const extra: Record<string, unknown> = {};
    let role: 'primary' | 'replica' = instance === currentPrimary ? 'primary' : 'replica';
    if (!currentPrimary) {
      role = 'primary';
      Object.assign(extra, { currentPrimary: instance, targetPrimary: instance });
    }
    this.startPod(o, serialOf(o.name, instance), role, false);
    this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), extra);
    return true;
  }

  private scaleUp(o: Observed): Step {
    if (o.pvcs.length >= this.desiredInstances(o)) return undefined;
    const used = new Set(o.pvcs.map((p) => serialOf(o.name, p.metadata.name!)));
    let serial = 1;
    while (used.has(serial)) serial += 1;
    this.client.create(instancePvc(o.cluster, o.image, serial, 'initializing', 'replica'));
    this.client.create(instanceJob(o.cluster, o.image, serial, 'join'));
    this.writeStatus(this.observe(o.cluster, o.image), {
      phase: PHASE.creatingReplica,
      phaseReason: `Creating replica ${o.name}-${serial}-join`,
    });
    return true;
  }

  private scaleDown(o: Observed): Step {
    if (o.pvcs.length <= this.desiredInstances(o)) return undefined;
    const victim = [...o.pvcs].reverse().find((p) => p.metadata.name !== o.status.currentPrimary);
    if (!victim) return undefined;
    const instance = victim.metadata.name!;
    this.deletePod(o, instance);
    this.client.delete('PersistentVolumeClaim', o.ns, instance);
    this.deps.events.record(
      o.cluster,
      'Normal',
      'DeletingInstance',
      `Scaling down: removing instance ${instance}`,
    );
    this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {});
    return true;
  }

  private switchover(o: Observed): Step {
    const current = o.status.currentPrimary as string | undefined;
    let target = o.status.targetPrimary as string | undefined;
    if (!target || !current || target === current) return undefined;
    if (target === 'pending') {
      const candidate = o.pods.find((p) => p.metadata.name !== current && isReady(p));
      if (!candidate) return false;
      this.writeStatus(o, {
        targetPrimary: candidate.metadata.name,
        phase: PHASE.failover,
        phaseReason: `Failing over from ${current} to ${candidate.metadata.name}`,
      });
      return true;
    }
    const targetPod = o.pods.find((p) => p.metadata.name === target);
    if (!targetPod || !isReady(targetPod)) {
      this.writeStatus(o, {
        targetPrimary: current,
        targetPrimaryTimestamp: rfc3339Micro(this.deps.clock.now()),
      });
      this.deps.events.record(
        o.cluster,
        'Warning',
        'SwitchoverRejected',
        `Instance ${target} is not active, switchover cancelled`,
      );
      return true;
    }
    if (o.status.phase !== PHASE.switchover && o.status.phase !== PHASE.failover) {
      this.writeStatus(o, { phase: PHASE.switchover, phaseReason: `Switching over to ${target}` });
      return true;
    }
    for (const obj of [...o.pods, ...o.pvcs]) {
      const role = obj.metadata.name === target ? 'primary' : 'replica';
      obj.metadata.labels = { ...obj.metadata.labels, 'cnpg.io/instanceRole': role, role };
      this.client.update(obj);
    }
    this.deps.instanceLogs.postgres(o.ns, target, 'received promote request', { backendType: 'startup' });
    this.deps.instanceLogs.postgres(
      o.ns,
      target,
      `selected new timeline ID: ${Number(o.status.timelineID ?? 1) + 1}`,
      {
        backendType: 'startup',
      },
    );
    if (o.pods.some((p) => p.metadata.name === current)) {
      this.deps.instanceLogs.postgres(o.ns, current, 'received fast shutdown request');
    }
    this.deps.events.record(
      o.cluster,
      'Normal',
      'SwitchoverCompleted',
      `Instance ${target} is now the primary`,
    );
    target = String(target);
    this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {
      currentPrimary: target,
      currentPrimaryTimestamp: rfc3339Micro(this.deps.clock.now()),
      timelineID: Number(o.status.timelineID ?? 1) + 1,
    });
    return true;
  }

  /** Changed parameters are reloaded on every instance; restart-only ones leave the pods stale for rollOut. */
  private applyParameters(o: Observed): Step {
    const key = o.cluster.metadata.uid!;
    const applied = this.appliedParameters.get(key);
    if (!applied || o.pods.length === 0) return undefined;
    const wanted = parametersOf(o.cluster);
    const changed = [...new Set([...Object.keys(applied), ...Object.keys(wanted)])].filter(
      (k) => applied[k] !== wanted[k],
    );
    if (changed.length === 0) return undefined;
    this.appliedParameters.set(key, wanted);
    for (const pod of o.pods) {
      const name = pod.metadata.name!;
      this.deps.instanceLogs.postgres(o.ns, name, 'received SIGHUP, reloading configuration files');
      for (const k of changed) {
        const restart = RESTART_PARAMETERS.has(k);
        const text =
          wanted[k] === undefined
            ? `parameter "${k}" removed from configuration file, reset to default`
            : restart
              ? `parameter "${k}" cannot be changed without restarting the server`
              : `parameter "${k}" changed to "${wanted[k]}"`;
        this.deps.instanceLogs.postgres(o.ns, name, text);
      }
    }
    this.deps.events.record(
      o.cluster,
      'Normal',
      'ConfigurationChanged',
      `Parameters changed: ${changed.sort().join(', ')}`,
    );
    return undefined;
  }

  /** `kubectl cnpg restart X X-1` on the primary: the plugin sets the phase, the operator restarts the pod. */
  private restartPrimaryInPlace(o: Observed): Step {
    if (o.status.phase !== PHASE.inplacePrimaryRestart) return undefined;
    const primary = o.status.currentPrimary as string | undefined;
    if (!primary || !o.pods.some((p) => p.metadata.name === primary)) return undefined;
    this.deletePod(o, primary);
    this.startPod(this.observe(o.cluster, o.image), serialOf(o.name, primary), 'primary', false);
    this.deps.events.record(
      o.cluster,
      'Normal',
      'InstanceRestarted',
      `Restarted primary instance ${primary} in place`,
    );
    this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {
      phase: PHASE.healthy,
      phaseReason: '',
    });
    return true;
  }

  /** Rolling restart (restartedAt annotation) and image updates: replicas first, then the primary. */
  private rollOut(o: Observed): Step {
    const restartedAt = o.cluster.metadata.annotations?.[RESTARTED_AT];
    const stale = (pod: KubeObject) => {
      const podImage = (asRecord(pod.spec).containers as { image: string }[] | undefined)?.[0]?.image;
      if (podImage !== o.image) return `the instance is using a different image: ${podImage} -> ${o.image}`;
      if (restartedAt && pod.metadata.annotations?.[RESTARTED_AT] !== restartedAt) {
        return 'cluster has been explicitly restarted via annotation';
      }
      const started = this.podStartParameters.get(pod.metadata.uid!);
      if (started !== undefined && started !== restartParameters(o.cluster)) {
        return 'configuration needs a restart to apply some configuration changes';
      }
      return undefined;
    };
    const primaryName = o.status.currentPrimary as string | undefined;
    const pending = o.pods.filter((p) => stale(p) !== undefined);
    if (pending.length === 0) return undefined;
    const replicas = pending.filter((p) => p.metadata.name !== primaryName).reverse();
    const next = replicas[0] ?? pending[0]!;
    const instance = next.metadata.name!;
    const isPrimary = instance === primaryName;
    const spec = asRecord(o.cluster.spec);
    if (isPrimary && spec.primaryUpdateStrategy === 'supervised' && o.pods.length > 1) {
      this.writeStatus(o, {
        phase: PHASE.waitingForUser,
        phaseReason: 'User must issue a supervised switchover',
      });
      return false;
    }
    if (isPrimary && spec.primaryUpdateMethod === 'switchover' && o.pods.length > 1) {
      const candidate = o.pods.find((p) => p.metadata.name !== instance && isReady(p));
      if (candidate) {
        this.writeStatus(o, {
          targetPrimary: candidate.metadata.name,
          targetPrimaryTimestamp: rfc3339Micro(this.deps.clock.now()),
          phase: PHASE.switchover,
          phaseReason: `Switching over to ${candidate.metadata.name}`,
        });
        return true;
      }
    }
    const reason = `Restarting instance ${instance}, because: ${stale(next)}`;
    if (o.status.phase !== PHASE.upgrade || o.status.phaseReason !== reason) {
      this.writeStatus(o, { phase: PHASE.upgrade, phaseReason: reason });
      return true;
    }
    this.deletePod(o, instance);
    this.startPod(
      this.observe(o.cluster, o.image),
      serialOf(o.name, instance),
      isPrimary ? 'primary' : 'replica',
      false,
    );
    this.deps.events.record(o.cluster, 'Normal', 'InstanceRestarted', `Restarted instance ${instance}`);
    this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {});
    return true;
  }

  private resizeStorage(o: Observed): Step {
    const storage = asRecord(asRecord(o.cluster.spec).storage);
    const size = typeof storage.size === 'string' ? storage.size : undefined;
    const wanted = size ? parseQuantity(size) : undefined;
    if (!size || wanted === undefined || storage.resizeInUseVolumes === false) return undefined;
    const resizing = o.status.resizingPVC as string[] | undefined;
    if (resizing && resizing.length > 0) {
      for (const pvcName of resizing) {
        const pvc = this.client.get('PersistentVolumeClaim', o.ns, pvcName);
        if (!pvc) continue;
        pvc.status = { ...asRecord(pvc.status), capacity: { storage: size }, conditions: undefined };
        delete (pvc.status as Record<string, unknown>).conditions;
        this.client.update(pvc);
      }
      this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {
        resizingPVC: undefined,
      });
      this.deps.events.record(o.cluster, 'Normal', 'ResizedVolumes', `Volumes resized to ${size}`);
      return true;
    }
    const small = o.pvcs.filter((pvc) => {
      const req = asRecord(asRecord(asRecord(pvc.spec).resources).requests).storage;
      return typeof req === 'string' && (parseQuantity(req) ?? 0) < wanted;
    });
    if (small.length === 0) return undefined;
    for (const pvc of small) {
      pvc.spec = { ...asRecord(pvc.spec), resources: { requests: { storage: size } } };
      pvc.status = {
        ...asRecord(pvc.status),
        conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: this.now() }],
      };
      this.client.update(pvc);
    }
    this.writeStatus(this.observe(o.cluster, o.image), { resizingPVC: small.map((p) => p.metadata.name!) });
    return true;
  }

  private syncFencing(o: Observed): Step {
    let changed = false;
    for (const pod of o.pods) {
      const shouldBeReady = !this.isFenced(o.cluster, pod.metadata.name!);
      if (isReady(pod) === shouldBeReady) continue;
      const status = asRecord(pod.status);
      pod.status = podStatus(o.image, String(status.podIP), String(status.startTime), shouldBeReady);
      this.client.update(pod);
      this.deps.instanceLogs.manager(
        o.ns,
        pod.metadata.name!,
        shouldBeReady
          ? 'Instance unfenced, starting postmaster'
          : 'Instance is fenced, shutting down postmaster',
      );
      changed = true;
    }
    if (changed) {
      this.writeStatus(this.observe(this.client.get('Cluster', o.ns, o.name)!, o.image), {});
      this.deps.events.record(
        o.cluster,
        'Normal',
        'Fencing',
        `Fenced instances: ${JSON.stringify(fencedInstances(o.cluster))}`,
      );
    }
    return changed ? true : undefined;
  }

  private reload(o: Observed): Step {
    const requested = o.cluster.metadata.annotations?.['cnpg.io/reloadedAt'];
    const key = o.cluster.metadata.uid!;
    if (!requested || this.seenReloads.get(key) === requested) return undefined;
    this.seenReloads.set(key, requested);
    for (const pod of o.pods) {
      this.deps.instanceLogs.postgres(
        o.ns,
        pod.metadata.name!,
        'received SIGHUP, reloading configuration files',
      );
    }
    this.deps.events.record(o.cluster, 'Normal', 'Reload', 'Configuration reload requested');
    return undefined;
  }

  private markHealthy(o: Observed): boolean {
    const fenced = fencedInstances(o.cluster);
    const extra: Record<string, unknown> = { phase: PHASE.healthy, phaseReason: '' };
    if (fenced.length > 0 && o.pods.every((p) => !isReady(p))) extra.phaseReason = 'All instances are fenced';
    const before = o.status.phase;
    this.writeStatus(o, extra);
    if (before !== PHASE.healthy)
      this.deps.events.record(o.cluster, 'Normal', 'ClusterReady', 'Cluster is ready');
    return false;
  }
}
