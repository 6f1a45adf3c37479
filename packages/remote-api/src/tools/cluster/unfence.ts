import { clusterUnfence } from '@cnpg-mcp/catalog';
import { defineTool } from '../context.js';
import { fencingReferences, runFencing } from './fencing.js';

export const clusterUnfenceTool = defineTool({
  definition: clusterUnfence,
  references: fencingReferences,
  run: (args, ctx) => runFencing(false, args, ctx),
});
