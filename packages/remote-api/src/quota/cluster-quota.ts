/** The clustersPerUser quota on the ledger: one reservation per cluster about to be created. */
import type { Identity } from '../identity.js';
import { OWNER_LABEL } from '../identity.js';
import { CNPG, type KubeApis } from '../kube/client.js';
import { type Access, PolicyDenied } from '../policy.js';
import { NO_RESERVATION, type QuotaLedger, type QuotaReservation } from './ledger.js';
import type { LiveUsage } from './reservations.js';

/** The caller: their identity, what the policy lets them do, and their (possibly impersonated) API clients. */
export interface QuotaCaller {
  identity: Identity;
  access: Access;
  /** Only lists clusters (a tool's read-only clients will do); from the API server when they read from a cache. */
  kube: ClusterLister & { consistent?: ClusterLister };
}

type ClusterLister = Pick<KubeApis, 'options'> & {
  custom: Pick<KubeApis['custom'], 'listClusterCustomObject' | 'listNamespacedCustomObject'>;
};

interface ClusterList {
  items?: { metadata?: { namespace?: string; name?: string } }[];
}

/**
 * The caller's clusters in every namespace they may use, read straight from the API server (a
 * cache could miss one made a moment ago). Listed as the caller, as the tools read clusters.
 */
async function liveClusters(caller: QuotaCaller): Promise<LiveUsage> {
  const labelSelector = `${OWNER_LABEL}=${caller.identity.userId}`;
  const { custom, options } = caller.kube.consistent ?? caller.kube;
  const lists: Promise<ClusterList>[] = caller.access.namespaces.includes('*')
    ? [custom.listClusterCustomObject({ ...CNPG, plural: 'clusters', labelSelector }, options)]
    : caller.access.namespaces.map((namespace) =>
        custom.listNamespacedCustomObject({ ...CNPG, namespace, plural: 'clusters', labelSelector }, options),
      );
  const live = new Map<string, number>();
  for (const list of await Promise.all(lists)) {
    for (const item of list.items ?? []) live.set(`${item.metadata?.namespace}/${item.metadata?.name}`, 1);
  }
  return live;
}

/**
 * Reserves one of the caller's clustersPerUser before `namespace/name` is created, or refuses
 * with PolicyDenied('quota.clustersPerUser'). Call it right before the create; then `confirm()`
 * once the create succeeded, `release()` when it failed. A dry run decides without reserving.
 */
export async function reserveCluster(
  ledger: QuotaLedger,
  caller: QuotaCaller,
  target: { namespace: string; name: string; dryRun: boolean },
): Promise<QuotaReservation> {
  const limit = caller.access.quotas.clustersPerUser;
  if (limit === undefined) return NO_RESERVATION;
  const outcome = await ledger.reserve({
    subject: caller.identity.userId,
    kind: 'clusters',
    key: `${target.namespace}/${target.name}`,
    amount: 1,
    limit,
    dryRun: target.dryRun,
    observe: () => liveClusters(caller),
  });
  if (outcome.granted) return outcome.reservation;
  const { live, pending } = outcome.usage;
  throw new PolicyDenied(
    'quota.clustersPerUser',
    `you already have ${live} cluster(s)${pending ? ` and ${pending} being created` : ''}; your quota is ${limit}`,
  );
}
