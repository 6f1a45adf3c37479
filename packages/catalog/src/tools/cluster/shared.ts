import { z } from 'zod';
import { dryRunField, instanceNameField } from '../../fields.js';
import { clusterTarget } from '../shared.js';

/** Pieces shared by several cluster-lifecycle tools. */

export const fenceInput = z.strictObject({
  ...clusterTarget,
  instance: z.union([instanceNameField, z.literal('*')]).describe('An instance, or "*".'),
  dry_run: dryRunField,
});

/**
 * Whether the operator's admission webhook is switched off for the cluster. cnpg-mcp switches it
 * off only for the one write that starts a guided storage shrink (CloudNativePG refuses a smaller
 * size otherwise) and records until when; a later call past that time switches it back on.
 */
export const validationOutput = z
  .object({
    disabled: z
      .boolean()
      .describe(
        "The cluster carries cnpg.io/validation: disabled: the operator's webhook does not check its changes.",
      ),
    disabledUntil: z
      .string()
      .describe(
        'When a storage shrink disabled it: the time after which the next cluster_storage_shrink, cluster_storage_shrink_status or cluster_status call restores validation ("" otherwise).',
      ),
    restored: z.boolean().describe('This call found the bypass past its time and restored validation.'),
  })
  .describe('Admission validation of the cluster (see cluster_storage_shrink).');

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
  validation: validationOutput,
};
