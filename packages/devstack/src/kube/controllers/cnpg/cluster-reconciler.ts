/**
 * The emulated CNPG operator (plus instance managers) for Cluster objects. Each call performs one
 * observable step — creating the primary, joining a replica, promoting, restarting one instance,
 * resizing volumes — and reports whether more steps are needed, so a watch sees the same status
 * timeline a real cluster goes through.
 */
import { asRecord, isPlainObject, type KubeObject } from '../../types.js';
import {
  ClusterContext,
  type ClusterReconcilerDeps,
  HIBERNATION,
  type Observed,
  type Step,
} from './cluster-context.js';
import {
  completeJobs,
  createPrimary,
  recreateMissingPods,
  scaleDown,
  scaleUp,
  startMajorUpgrade,
} from './cluster-instances.js';
import { clusterImage } from './cluster-objects.js';
import {
  applyParameters,
  resizeStorage,
  restartPrimaryInPlace,
  rollOut,
  switchover,
} from './cluster-operations.js';
import { hibernate, markHealthy, rehydrate, reload, syncFencing } from './cluster-runtime.js';
import { ensureSupportObjects, initialize } from './cluster-setup.js';
import { type Condition, PHASE, readyCondition, setCondition } from './cluster-status.js';

export type { ClusterReconcilerDeps } from './cluster-context.js';
export { fencedInstances } from './cluster-context.js';

export class ClusterReconciler {
  private readonly ctx: ClusterContext;

  constructor(deps: ClusterReconcilerDeps) {
    this.ctx = new ClusterContext(deps);
  }

  /** One reconciliation step; true when another step is needed. */
  reconcile(namespace: string, name: string): boolean {
    const cluster = this.ctx.client.get('Cluster', namespace, name);
    if (!cluster || cluster.metadata.deletionTimestamp) return false;
    if (cluster.metadata.annotations?.['cnpg.io/reconciliationLoop'] === 'disabled') return false;
    const image = this.resolveImage(cluster);
    if (image === undefined) return false;
    const o = this.ctx.observe(cluster, image);
    if (!isPlainObject(cluster.status) || cluster.status.certificates === undefined)
      return initialize(this.ctx, o);
    if (ensureSupportObjects(this.ctx, o)) return true;
    if (cluster.metadata.annotations?.[HIBERNATION] === 'on') return hibernate(this.ctx, o);
    if ((o.status.conditions as Condition[] | undefined)?.some((c) => c.type === HIBERNATION))
      return rehydrate(this.ctx, o);
    // Each step answers true (acted, come back), false (stop here) or undefined (nothing to do).
    const steps: ((o: Observed) => Step)[] = [
      (x) => completeJobs(this.ctx, x),
      (x) => createPrimary(this.ctx, x),
      (x) => startMajorUpgrade(this.ctx, x),
      (x) => recreateMissingPods(this.ctx, x),
      (x) => scaleUp(this.ctx, x),
      (x) => scaleDown(this.ctx, x),
      (x) => switchover(this.ctx, x),
      (x) => applyParameters(this.ctx, x),
      (x) => restartPrimaryInPlace(this.ctx, x),
      (x) => rollOut(this.ctx, x),
      (x) => resizeStorage(this.ctx, x),
      (x) => syncFencing(this.ctx, x),
      (x) => reload(this.ctx, x),
    ];
    for (const step of steps) {
      const outcome = step(o);
      if (outcome !== undefined) return outcome;
    }
    return markHealthy(this.ctx, o);
  }

  private resolveImage(cluster: KubeObject): string | undefined {
    const ref = asRecord(asRecord(cluster.spec).imageCatalogRef);
    if (!ref.name) return clusterImage(cluster);
    const catalog = this.ctx.client.get(String(ref.kind), cluster.metadata.namespace, String(ref.name));
    const images = (asRecord(catalog?.spec).images as { image: string; major: number }[] | undefined) ?? [];
    const entry = images.find((i) => i.major === ref.major);
    if (!entry) {
      this.ctx.client.patchStatus(cluster, {
        phase: PHASE.imageCatalogError,
        phaseReason: catalog
          ? `selected major version is not available in the catalog`
          : `catalog ${String(ref.kind)}/${String(ref.name)} not found`,
        conditions: setCondition(
          asRecord(cluster.status).conditions as Condition[] | undefined,
          readyCondition(false),
          this.ctx.now(),
        ),
      });
      return undefined;
    }
    return entry.image;
  }
}
