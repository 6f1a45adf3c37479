/**
 * Metrics scraping for a cluster. CloudNativePG 1.30 deprecates spec.monitoring.enablePodMonitor
 * (the operator making the PodMonitor) for a PodMonitor people create and own themselves
 * (docs/src/monitoring.md); cnpg-mcp makes it as the operator did (pkg/specs/podmonitor.go), as a
 * dependent of the Cluster so it goes with it. The kind is the Prometheus Operator's.
 */
import { translateKubeError } from '../../kube/errors.js';
import { KINDS } from '../framework/kinds.js';
import type { KubeReads } from '../framework/kube-reads.js';

const { group, version, plural } = KINDS.PodMonitor;

/** True when the API server serves PodMonitor (the Prometheus Operator's CRD is installed). */
export async function podMonitorsServed(kube: KubeReads): Promise<boolean> {
  try {
    const list = await kube.custom.getAPIResources({ group, version }, kube.options);
    return list.resources.some((r) => r.name === plural);
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') return false;
    throw translated ?? error;
  }
}

/** The PodMonitor that has the instances' metrics port scraped (not the pooler's or the jobs' pods). */
export function podMonitorFor(cluster: string) {
  return {
    metadata: { name: cluster, labels: { 'cnpg.io/cluster': cluster } },
    spec: {
      selector: { matchLabels: { 'cnpg.io/cluster': cluster, 'cnpg.io/podRole': 'instance' } },
      podMetricsEndpoints: [{ port: 'metrics' }],
    },
  };
}
