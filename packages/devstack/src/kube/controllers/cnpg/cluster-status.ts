/** Cluster phases and conditions as CNPG writes them. */
export const PHASE = {
  firstPrimary: 'Setting up primary',
  creatingReplica: 'Creating a new replica',
  healthy: 'Cluster in healthy state',
  switchover: 'Switchover in progress',
  failover: 'Failing over',
  upgrade: 'Upgrading cluster',
  majorUpgrade: 'Upgrading Postgres major version',
  waitingForUser: 'Waiting for user action',
  inplacePrimaryRestart: 'Primary instance is being restarted in-place',
  imageCatalogError: 'Cluster has incomplete or invalid image catalog',
  unrecoverable: 'Cluster is unrecoverable and needs manual intervention',
  unknownPlugin: 'Cluster cannot proceed to reconciliation due to an unknown plugin being required',
} as const;

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** Sets a condition, keeping lastTransitionTime when the status does not change. */
export function setCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const condition: Condition = {
    ...next,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now,
  };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function readyCondition(healthy: boolean): Omit<Condition, 'lastTransitionTime'> {
  return healthy
    ? { type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready' }
    : { type: 'Ready', status: 'False', reason: 'ClusterIsNotReady', message: 'Cluster Is Not Ready' };
}
