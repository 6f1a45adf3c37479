import { clusterSetParameters } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { Access } from '../../policy.js';
import { defineTool } from '../context.js';
import { type ClusterObject, namedCluster, seenCluster } from './model.js';
import { mutation } from './ops.js';
import { parameterContext, parametersAfter, requireParametersSettable } from './parameters.js';

type Args = z.output<typeof clusterSetParameters.inputSchema>;

/**
 * Pure: the focused merge patch of the parameters (null removes one), or a refusal: what
 * CloudNativePG would refuse in the parameters the cluster would then have, or a setting the
 * policy keeps for admins.
 */
export function planSetParameters(args: Args, cluster: ClusterObject, access: Access) {
  requireParametersSettable(
    access,
    args.parameters,
    parametersAfter(cluster, args.parameters),
    parameterContext(cluster),
  );
  return { patch: { spec: { postgresql: { parameters: args.parameters } } } };
}

export const clusterSetParametersTool = defineTool({
  definition: clusterSetParameters,
  references: { cluster: namedCluster<Args>('change') },
  async run(args, ctx) {
    const plan = planSetParameters(args, seenCluster(ctx.seen), ctx.access);
    const patched = await ctx.write.patch<ClusterObject>('Cluster', args.name, plan.patch);
    const parameters = patched.spec?.postgresql?.parameters ?? {};
    const changes = Object.entries(args.parameters).map(([k, v]) =>
      v === null ? `${k} removed` : `${k}=${v}`,
    );
    const message = `parameters of ${ctx.namespace}/${args.name}: ${changes.join(', ')}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'patched', args.dry_run, message, patched),
        parameters,
      },
      text: args.dry_run
        ? `Dry run: ${message}`
        : `${message}; the operator reloads or restarts instances as each parameter requires.`,
    };
  },
});
