import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive } from '../shared.js';
import { logicalTarget } from './shared.js';

export const publicationDelete = {
  name: 'publication_delete',
  group: 'logical',
  title: 'Delete a publication',
  description: 'Deletes a Publication object; drop (default) also drops it in PostgreSQL.',
  details:
    'Deletes a Publication object; the publication is dropped in PostgreSQL when drop is set (or its reclaim policy is delete). `confirm` must equal the publication name.',
  inputSchema: z.strictObject({
    ...logicalTarget,
    drop: z.boolean().default(true),
    confirm: confirmField('publication name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), objectName: z.string() }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete publication {name} of cluster {cluster} (namespace {namespace|your default})? Its subscribers stop receiving changes.',
  },
} satisfies ToolDefinition;
