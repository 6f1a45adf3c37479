import { backupDestinationSet } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { seenCluster } from '../cluster/model.js';
import { mutation } from '../cluster/ops.js';
import { say } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import {
  describeDestination,
  destinationSpec,
  objectStoreReference,
  requireDestinationAllowed,
} from './destination.js';

type Args = z.output<typeof backupDestinationSet.inputSchema>;

export const backupDestinationSetTool = defineTool({
  definition: backupDestinationSet,
  references: {
    cluster: {
      kind: 'Cluster',
      intent: 'change',
      role: 'the cluster whose backups to configure',
      name: (args) => args.cluster,
      hint: 'cluster_list shows what exists',
    },
    objectStore: objectStoreReference<Args>((args) => args.object_store),
  },
  async run(args, ctx) {
    const cluster = seenCluster(ctx.seen);
    requireDestinationAllowed(ctx, args, ctx.seen.objectStore);
    const spec = destinationSpec(cluster.spec ?? {}, args);
    const patched = await ctx.write.patch<KubeObject>('Cluster', args.cluster, {
      metadata: { resourceVersion: cluster.metadata.resourceVersion },
      spec,
    });
    const destination = describeDestination({ ...cluster, spec: { ...cluster.spec, ...spec } });
    const parts = [
      args.object_store
        ? `WAL archiving and plugin backups to ObjectStore ${args.object_store} (server name ${destination.serverName})`
        : '',
      args.volume_snapshot_class ? `volume-snapshot backups with class ${args.volume_snapshot_class}` : '',
    ].filter(Boolean);
    const message = `cluster ${ctx.namespace}/${args.cluster}: ${parts.join('; ')}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.cluster, 'patched', args.dry_run, message, patched),
        destination,
      },
      text: say(
        args.dry_run,
        `${message}.${args.dry_run ? '' : ' backup_destination_get shows whether archiving works.'}`,
      ),
    };
  },
});
