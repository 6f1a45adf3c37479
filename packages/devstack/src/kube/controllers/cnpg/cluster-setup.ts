/** Objects every cluster needs: certificates, credentials, services, service account, PDBs. */
import { asRecord, type KubeObject } from '../../types.js';
import type { ClusterContext, Observed } from './cluster-context.js';
import {
  certificateSecrets,
  credentialSecret,
  podDisruptionBudgets,
  poolerSecret,
  serviceAccount,
  services,
} from './cluster-objects.js';

/**
 * Whether a Pooler of this cluster relies on the operator for its authentication (no authQuery,
 * authQuerySecret or serverTLSSecret of its own): the cluster then provides the X-pooler
 * certificate (Pooler.IsAutomatedIntegration, cluster_status.go getPoolerIntegrationsNeeded).
 */
function poolerIntegration(ctx: ClusterContext, o: Observed): boolean {
  return ctx.client.list('Pooler', o.ns).some((pooler) => {
    const spec = asRecord(pooler.spec);
    const pgbouncer = asRecord(spec.pgbouncer);
    return (
      asRecord(spec.cluster).name === o.name &&
      !pooler.metadata.deletionTimestamp &&
      !pgbouncer.authQuery &&
      !asRecord(pgbouncer.authQuerySecret).name &&
      !asRecord(pgbouncer.serverTLSSecret).name
    );
  });
}

export function initialize(ctx: ClusterContext, o: Observed): boolean {
  for (const secret of certificateSecrets(o.cluster, o.image)) ctx.client.ensure(secret);
  ensureSupportObjects(ctx, o);
  ctx.writeStatus(o, {});
  return true;
}

/** Secrets, services, service account and PDBs; true when something was created or removed. */
export function ensureSupportObjects(ctx: ClusterContext, o: Observed): boolean {
  const spec = asRecord(o.cluster.spec);
  let changed = false;
  const ensure = (obj: KubeObject) => {
    if (!ctx.client.get(obj.kind, o.ns, obj.metadata.name!)) {
      ctx.client.create(obj);
      changed = true;
    }
  };
  for (const secret of certificateSecrets(o.cluster, o.image)) ensure(secret);
  const bootstrap = asRecord(spec.bootstrap);
  const userSecret = ['initdb', 'recovery', 'pg_basebackup'].some(
    (m) => asRecord(bootstrap[m]).secret !== undefined,
  );
  const { database, owner } = ctx.initdbNames(o);
  if (!userSecret) ensure(credentialSecret(o.cluster, o.image, 'app', database, owner));
  const superuserName = `${o.name}-superuser`;
  if (spec.enableSuperuserAccess === true && spec.superuserSecret === undefined) {
    ensure(credentialSecret(o.cluster, o.image, 'superuser', '*', 'postgres'));
  } else if (
    ctx.client.get('Secret', o.ns, superuserName)?.metadata.labels?.['cnpg.io/userType'] === 'superuser'
  ) {
    ctx.client.delete('Secret', o.ns, superuserName);
    changed = true;
  }
  const wanted = services(o.cluster, o.image);
  for (const svc of wanted) ensure(svc);
  for (const suffix of ['ro', 'r']) {
    const svcName = `${o.name}-${suffix}`;
    if (!wanted.some((s) => s.metadata.name === svcName) && ctx.client.get('Service', o.ns, svcName)) {
      ctx.client.delete('Service', o.ns, svcName);
      changed = true;
    }
  }
  if (!ctx.client.get('ServiceAccount', o.ns, o.name)) {
    ctx.deps.events.record(o.cluster, 'Normal', 'CreatingServiceAccount', 'Creating ServiceAccount');
    ensure(serviceAccount(o.cluster, o.image));
  }
  if (poolerIntegration(ctx, o)) ensure(poolerSecret(o.cluster, o.image));
  const maintenance = asRecord(spec.nodeMaintenanceWindow);
  const pdbWanted =
    spec.enablePDB !== false && !(maintenance.inProgress === true && maintenance.reusePVC !== false)
      ? podDisruptionBudgets(o.cluster, o.image, ctx.desiredInstances(o))
      : [];
  for (const pdb of pdbWanted) {
    if (ctx.client.get('PodDisruptionBudget', o.ns, pdb.metadata.name!)) continue;
    ctx.deps.events.record(
      o.cluster,
      'Normal',
      'CreatingPodDisruptionBudget',
      `Creating PodDisruptionBudget ${pdb.metadata.name}`,
    );
    ensure(pdb);
  }
  for (const existing of ctx.client.list('PodDisruptionBudget', o.ns, { 'cnpg.io/cluster': o.name })) {
    if (!pdbWanted.some((p) => p.metadata.name === existing.metadata.name)) {
      ctx.client.delete('PodDisruptionBudget', o.ns, existing.metadata.name!);
      changed = true;
    }
  }
  return changed;
}
