import { backupDestinationGet } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { seenCluster } from '../cluster/model.js';
import { type CnpgObject, listObjects } from '../common/objects.js';
import { defineTool } from '../context.js';
import {
  backupOverviewOf,
  describeDestination,
  describeOverview,
  objectStoreReference,
} from './destination.js';

type Args = z.output<typeof backupDestinationGet.inputSchema>;

export const backupDestinationGetTool = defineTool({
  definition: backupDestinationGet,
  references: {
    cluster: {
      kind: 'Cluster',
      intent: 'read',
      role: 'cluster',
      name: (args) => args.cluster,
      hint: 'cluster_list shows what exists',
    },
    objectStore: {
      ...objectStoreReference<Args>(
        (_args, seen) => describeDestination(seenCluster(seen)).objectStore || undefined,
        'the object store the cluster archives to',
      ),
      intent: 'read',
      optional: true,
    },
  },
  async run(args, ctx) {
    const cluster = seenCluster(ctx.seen);
    const backups = (await listObjects(ctx, 'backups', ctx.namespace)) as CnpgObject[];
    const destination = describeDestination(cluster);
    const overview = backupOverviewOf(cluster, backups, ctx.seen.objectStore);
    const missingStore =
      destination.objectStore && !ctx.seen.objectStore
        ? ` (ObjectStore ${destination.objectStore} does not exist)`
        : '';
    const text = [
      `Backups of ${ctx.namespace}/${args.cluster}: ${destination.methods.join(', ') || 'no destination'}`,
      destination.objectStore
        ? `  Barman Cloud ObjectStore ${destination.objectStore}, server name ${destination.serverName}${missingStore}`
        : '',
      destination.volumeSnapshotClass
        ? `  volume snapshots with class ${destination.volumeSnapshotClass}`
        : '',
      destination.inTreeObjectStore
        ? `  in-tree object store ${destination.inTreeObjectStore} (deprecated)`
        : '',
      ...describeOverview(overview),
    ]
      .filter(Boolean)
      .join('\n');
    return { structured: { destination, ...overview }, text };
  },
});
