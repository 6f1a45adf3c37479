import { z } from 'zod';
import { clusterNameField, namespaceField } from '../../fields.js';
import type { ToolDefinition } from '../../types.js';
import { readOnly, roleNameField } from '../shared.js';

export const credentialReveal = {
  name: 'credential_reveal',
  group: 'credentials',
  title: 'Reveal a role’s password',
  description:
    'Returns a role’s password (default: the application owner). The only tool that returns a secret; audited.',
  details:
    'Returns the password of a role (the application owner by default) from its Secret. The only tool that returns a secret value: refused in read-only mode or without the write scope, limited by ownership like a change, and always audited.',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterNameField,
    name: roleNameField.optional().describe('Default: the application owner.'),
  }),
  outputSchema: z.object({
    namespace: z.string(),
    cluster: z.string(),
    role: z.string(),
    secretName: z.string(),
    username: z.string(),
    password: z.string(),
  }),
  // Not read-only although it writes nothing: it returns a secret, and clients run read-only tools
  // without asking the person.
  annotations: { ...readOnly, readOnlyHint: false },
  requiredScope: 'read',
  confirmation: {
    question:
      'Show the password of role {name|the application owner} of cluster {cluster} (namespace {namespace|your default}) to the assistant?',
  },
} satisfies ToolDefinition;
