import { subscriptionDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { defineTool } from '../context.js';
import { deleteLogical } from './logical-delete.js';
import { declaredLogical, logicalCluster } from './model.js';

type Args = z.output<typeof subscriptionDelete.inputSchema>;

export const subscriptionDeleteTool = defineTool({
  definition: subscriptionDelete,
  references: {
    cluster: logicalCluster<Args>(),
    object: declaredLogical<Args>('Subscription', 'the Subscription object to delete'),
  },
  run: (args, ctx) => deleteLogical('Subscription', args, ctx),
});
