import { clusterStorageShrinkStatus } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { defineTool } from '../context.js';
import { namedCluster, seenCluster } from './model.js';
import { planShrink, readClusterVolumes, shrinkStatusFields } from './shrink-model.js';
import {
  describeValidation,
  overdueValidationReference,
  restoreOverdueValidation,
} from './validation-bypass.js';

type Args = z.output<typeof clusterStorageShrinkStatus.inputSchema>;

export const clusterStorageShrinkStatusTool = defineTool({
  definition: clusterStorageShrinkStatus,
  references: {
    cluster: namedCluster<Args>('read'),
    overdueValidation: overdueValidationReference<Args>(),
  },
  async run(args, ctx) {
    const { validation, cluster } = await restoreOverdueValidation(ctx, seenCluster(ctx.seen));
    const plan = planShrink(cluster, await readClusterVolumes(ctx.kube, ctx.namespace, args.name));
    const text = [
      plan.inProgress
        ? `Shrinking ${ctx.namespace}/${args.name} to ${plan.targetSize} (back to ${plan.originalInstances} instance(s) at the end).`
        : `No storage shrink in progress for ${ctx.namespace}/${args.name}.`,
      ...plan.volumes.map(
        (v) =>
          `  ${v.instance}${v.primary ? ' (primary)' : ''}: ${v.size}${plan.inProgress ? (v.atTarget ? ' ✓' : ' → to recreate') : ''}`,
      ),
      `Next: ${plan.nextStep}`,
      describeValidation(validation),
    ]
      .filter(Boolean)
      .join('\n');
    return {
      structured: { namespace: ctx.namespace, name: args.name, ...shrinkStatusFields(plan), validation },
      text,
    };
  },
});
