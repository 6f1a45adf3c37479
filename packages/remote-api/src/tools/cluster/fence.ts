import { clusterFence } from '@cnpg-mcp/catalog';
import { defineTool } from '../context.js';
import { fencingReferences, runFencing } from './fencing.js';

export const clusterFenceTool = defineTool({
  definition: clusterFence,
  references: fencingReferences,
  run: (args, ctx) => runFencing(true, args, ctx),
});
