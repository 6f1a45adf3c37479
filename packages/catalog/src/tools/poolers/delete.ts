import { z } from 'zod';
import { confirmField, dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive, objectNameField } from '../shared.js';

export const poolerDelete = {
  name: 'pooler_delete',
  group: 'poolers',
  title: 'Delete a connection pooler',
  description: 'Deletes a pooler with its pods and service; its clients are disconnected.',
  details:
    'Deletes a pooler with its pods and service; clients using it lose their connections. `confirm` must equal its name.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    name: objectNameField,
    confirm: confirmField('pooler name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question: 'Delete pooler {name} (namespace {namespace|your default})? Its clients are disconnected.',
  },
} satisfies ToolDefinition;
