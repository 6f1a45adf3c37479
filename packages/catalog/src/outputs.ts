import { z } from 'zod';
import { manifestField } from './fields.js';

/** Output of every mutating tool: what was (or would be) written. */
export const mutationOutput = z.object({
  namespace: z.string(),
  name: z.string(),
  action: z.string().describe('What the tool did, e.g. "scaled", "patched", "deleted".'),
  dryRun: z.boolean(),
  message: z.string(),
  object: manifestField
    .optional()
    .describe('The object as returned by the API server (dry run: as it would be).'),
  warnings: z
    .array(z.string())
    .optional()
    .describe(
      'Warnings Kubernetes or CloudNativePG returned for the writes (deprecated fields, validation disabled, a five-field schedule).',
    ),
});

export const clusterSummary = z.object({
  namespace: z.string(),
  name: z.string(),
  phase: z.string(),
  instances: z.number(),
  readyInstances: z.number(),
  primary: z.string(),
  image: z.string(),
  createdAt: z.string(),
  age: z.string(),
  owner: z
    .string()
    .describe('User id of the creator (label cnpg-mcp.io/created-by), or "" when not created here.'),
  hibernated: z.boolean(),
});

export const instanceSummary = z.object({
  name: z.string(),
  role: z.enum(['primary', 'replica', 'unknown']),
  ready: z.boolean(),
  phase: z.string(),
  node: z.string(),
  restarts: z.number(),
  fenced: z.boolean(),
  pvcSize: z.string(),
});

export const conditionSummary = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string(),
  message: z.string(),
});
