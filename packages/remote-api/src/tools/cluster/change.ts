import { clusterMaintenance } from '@cnpg-mcp/catalog';
import { implement } from '../context.js';
import { clusterForChange, mutation, patchCluster } from './ops.js';

export const clusterMaintenanceTool = implement(clusterMaintenance, async (args, ctx) => {
  const { namespace } = await clusterForChange(ctx, args);
  const window = { inProgress: args.in_progress, reusePVC: args.reuse_pvc };
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { spec: { nodeMaintenanceWindow: window } },
    args.dry_run,
  );
  const message = `maintenance window of ${namespace}/${args.name} ${args.in_progress ? `started (reusePVC=${args.reuse_pvc})` : 'ended'}`;
  return {
    structured: mutation(
      namespace,
      args.name,
      args.in_progress ? 'maintenance-started' : 'maintenance-ended',
      args.dry_run,
      message,
      patched,
    ),
    text: args.dry_run ? `Dry run: ${message}` : message,
  };
});
