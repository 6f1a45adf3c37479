/**
 * The operator and the instance managers write a Cluster's status in the background on a real
 * cluster, so a client's write made conditional on the resourceVersion it read now and then meets
 * 409 Conflict. With probability `rate`, such a write of a Cluster is preceded by one of these
 * status writes. The emulator does not model what changed in it: the content stays the same, the
 * resourceVersion moves (and watchers see MODIFIED), which is all a client can observe.
 */
import type { ConcurrentWriter } from '../../api/registry.js';
import type { ObjectStore } from '../../api/store.js';

export function concurrentStatusWrites(
  store: ObjectStore,
  rate: number,
  random: () => number = Math.random,
): ConcurrentWriter {
  return (rt, current) => {
    if (rt.group !== 'postgresql.cnpg.io' || rt.kind !== 'Cluster' || current.status === undefined)
      return current;
    if (rate <= 0 || random() >= rate) return current;
    return store.put(rt, current);
  };
}
