import { z } from 'zod';
import { dryRunField, instanceNameField } from '../../fields.js';
import { clusterTarget } from '../shared.js';

/** Pieces shared by several cluster-lifecycle tools. */

export const fenceInput = z.strictObject({
  ...clusterTarget,
  instance: z
    .union([instanceNameField, z.literal('*')])
    .describe('Instance to fence, or "*" for every instance of the cluster.'),
  dry_run: dryRunField,
});

export const shrinkStatusOutput = {
  inProgress: z.boolean(),
  targetSize: z
    .string()
    .describe('Size the data volumes are shrinking to ("" when no shrink is in progress).'),
  originalInstances: z
    .number()
    .describe('Instance count to return to at the end (0 when no shrink is in progress).'),
  step: z
    .enum(['start', 'wait', 'switchover', 'destroy', 'finish', 'done'])
    .describe('The step cluster_storage_shrink performs next ("done": nothing left to do).'),
  nextStep: z.string().describe('What happens next, for people.'),
  volumes: z.array(
    z.object({ instance: z.string(), size: z.string(), atTarget: z.boolean(), primary: z.boolean() }),
  ),
};
