import { z } from 'zod';
import { dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { destructive, roleNameField } from '../shared.js';
import { passwordLengthField, roleTarget } from './shared.js';

export const roleRotatePassword = {
  name: 'role_rotate_password',
  group: 'roles',
  title: 'Rotate a role’s password',
  description:
    'Generates a new password into the role’s Secret, applied at once; whatever uses the old one loses access.',
  details:
    'Generates a new password on the server and writes it to the role’s Secret (labelled cnpg.io/reload, so the operator applies it at once). A role without a password gets a new Secret. The value is never returned.',
  inputSchema: z.strictObject({
    ...roleTarget,
    name: roleNameField,
    password_length: passwordLengthField,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ cluster: z.string(), passwordSecret: z.string() }),
  // Destructive: whatever uses the old password stops working. The person confirms it where the
  // client can ask; other clients' own approval of destructive tools applies.
  annotations: destructive,
  requiredScope: 'write',
  confirmation: {
    question:
      'Rotate the password of role {name} of cluster {cluster} (namespace {namespace|your default})? Whatever uses the old password loses access.',
  },
} satisfies ToolDefinition;
