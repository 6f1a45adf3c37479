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
import {
  hibernate,
  hibernationWaits,
  markHealthy,
  rehydrate,
  reload,
  syncFencing,
} from './cluster-runtime.js';
import { ensureSupportObjects, initialize } from './cluster-setup.js';
import { type Condition, PHASE, readyCondition, setCondition } from './cluster-status.js';
import { unknownPlugins } from './operator-settings.js';

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
    if (this.missingPlugin(cluster)) return false;
    const image = this.resolveImage(cluster);
    if (image === undefined) return false;
    const o = this.ctx.observe(cluster, image);
    if (!isPlainObject(cluster.status) || cluster.status.certificates === undefined)
      return initialize(this.ctx, o);
    if (ensureSupportObjects(this.ctx, o)) return true;
    const hibernating = cluster.metadata.annotations?.[HIBERNATION] === 'on';
    if (hibernating && !hibernationWaits(this.ctx, o)) return hibernate(this.ctx, o);
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
    markHealthy(this.ctx, o);
    // A hibernation that waited for this moment starts now.
    return hibernating;
  }

  /**
   * The operator loads the plugins the cluster and its external clusters enable before anything
   * else (cluster_controller.go); one it does not have stops reconciliation.
   */
  private missingPlugin(cluster: KubeObject): boolean {
    const spec = asRecord(cluster.spec);
    const external = (Array.isArray(spec.externalClusters) ? spec.externalClusters : [])
      .map((c) => asRecord(asRecord(c).plugin))
      .filter((p) => p.name !== undefined && p.enabled !== false)
      .map((p) => ({ name: p.name }));
    const unknown = unknownPlugins(
      { plugins: [...(Array.isArray(spec.plugins) ? spec.plugins : []), ...external] },
      this.ctx.deps.settings,
    );
    if (unknown.length === 0) return false;
    this.ctx.client.patchStatus(cluster, {
      phase: PHASE.unknownPlugin,
      phaseReason: `Unknown plugin: '${[...unknown].sort()[0]}'. This may be caused by the plugin not being loaded correctly by the operator. Check the operator and plugin logs for errors`,
      conditions: setCondition(
        asRecord(cluster.status).conditions as Condition[] | undefined,
        readyCondition(false),
        this.ctx.now(),
      ),
    });
    return true;
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
