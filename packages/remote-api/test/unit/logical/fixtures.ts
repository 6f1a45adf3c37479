/** Publications and Subscriptions for the logical-replication plan tests (no stack, no I/O). */

import type { KubeObject } from '../../../src/tools/framework/kinds.js';
import type { KubeReads } from '../../../src/tools/framework/kube-reads.js';
import { alice, object } from '../backups/fixtures.js';

export function logical(
  kind: 'Publication' | 'Subscription',
  objectName: string,
  cluster: string,
  name: string,
  owner: typeof alice | undefined = alice,
  spec: Record<string, unknown> = {},
): KubeObject {
  return object(kind, objectName, owner, {
    spec: { cluster: { name: cluster }, name, dbname: 'app', ...spec },
  });
}

/** Kubernetes reads that list `objects` by kind (for the references that find an object by its spec.name). */
export function listing(objects: KubeObject[]): KubeReads {
  return {
    custom: {
      listNamespacedCustomObject: async ({ plural }: { plural: string }) => ({
        items: objects.filter((o) => `${(o.kind ?? '').toLowerCase()}s` === plural),
      }),
    },
    options: undefined,
  } as unknown as KubeReads;
}
