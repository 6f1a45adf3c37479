import { publicationDelete } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { defineTool } from '../context.js';
import { deleteLogical } from './logical-delete.js';
import { declaredLogical, logicalCluster } from './model.js';

type Args = z.output<typeof publicationDelete.inputSchema>;

export const publicationDeleteTool = defineTool({
  definition: publicationDelete,
  references: {
    cluster: logicalCluster<Args>(),
    object: declaredLogical<Args>('Publication', 'the Publication object to delete'),
  },
  run: (args, ctx) => deleteLogical('Publication', args, ctx),
});
