import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructiveIdempotent } from '../shared.js';

export const clusterHibernate = {
  name: 'cluster_hibernate',
  group: 'cluster',
  title: 'Hibernate a cluster',
  description: 'Stops every instance, keeping the volumes; the database is down until cluster_resume.',
  details:
    'Stops every instance while keeping the volumes (annotation cnpg.io/hibernation=on). The database is unavailable until cluster_resume.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    confirm: confirmField('cluster name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput,
  annotations: destructiveIdempotent,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Hibernate cluster {name} (namespace {namespace|your default})? The database is down until it is resumed.',
  },
} satisfies ToolDefinition;
