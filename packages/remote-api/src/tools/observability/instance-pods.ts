import type { V1Pod } from '@kubernetes/client-node';
import { kubeCall } from '../common/objects.js';
import type { KubeReads } from '../framework/kube-reads.js';

/** A timestamp as the API client gives it (Date or string) as an ISO string; '' when absent. */
export const iso = (value: Date | string | undefined): string =>
  value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : '';

/** The instance pods of a cluster, in instance order (pg-2 before pg-10). */
export async function instancePods(kube: KubeReads, namespace: string, cluster: string): Promise<V1Pod[]> {
  const list = await kubeCall(() =>
    kube.core.listNamespacedPod(
      { namespace, labelSelector: `cnpg.io/cluster=${cluster},cnpg.io/podRole=instance` },
      kube.options,
    ),
  );
  return list.items.sort((a, b) =>
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '', 'en', { numeric: true }),
  );
}
