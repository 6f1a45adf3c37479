/** What a fresh cluster with CloudNativePG 1.30 installed contains before anyone uses it (kept when already there). */
import { customResourceDefinition } from './crds.js';
import type { Registry } from './registry.js';

const OPERATOR_NAMESPACE = 'cnpg-system';
const OPERATOR_IMAGE = 'ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0';

export function bootstrapCluster(registry: Registry, extraNamespaces: readonly string[]): void {
  registry.bootstrapNamespaces([OPERATOR_NAMESPACE, ...extraNamespaces]);
  const crdType = registry.catalog.byApiVersionKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  for (const rt of registry.catalog.all().filter((t) => t.group === 'postgresql.cnpg.io')) {
    if (registry.find(crdType, undefined, `${rt.plural}.${rt.group}`)) continue;
    registry.create(crdType, undefined, customResourceDefinition(rt), {
      internal: true,
      fieldManager: 'kubectl',
    });
  }
  const deploymentType = registry.catalog.byApiVersionKind('apps/v1', 'Deployment');
  if (registry.find(deploymentType, OPERATOR_NAMESPACE, 'cnpg-controller-manager')) return;
  const labels = { 'app.kubernetes.io/name': 'cloudnative-pg', 'app.kubernetes.io/instance': 'cnpg' };
  registry.create(
    deploymentType,
    OPERATOR_NAMESPACE,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cnpg-controller-manager', namespace: OPERATOR_NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'cnpg-manager',
            containers: [{ name: 'manager', image: OPERATOR_IMAGE, args: ['controller', '--leader-elect'] }],
          },
        },
      },
      status: {
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        updatedReplicas: 1,
        observedGeneration: 1,
      },
    },
    { internal: true, fieldManager: 'kubectl' },
  );
}
