import { z } from 'zod';
import { confirmField, dryRunField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructive } from '../shared.js';

export const clusterDelete = {
  name: 'cluster_delete',
  group: 'cluster',
  title: 'Delete a cluster',
  description:
    'Deletes a cluster with its instances, volumes and what cnpg-mcp made for it; backups stay. Irreversible.',
  details:
    'Deletes a cluster with all its instances, volumes, services and operator-created secrets, and what was made for it through cnpg-mcp (roles and their password secrets, databases, poolers, publications, subscriptions, scheduled backups), which Kubernetes removes with it; backups stay. The result lists what goes with the cluster and what names it but stays. Irreversible: `confirm` must equal the cluster name.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    confirm: confirmField('cluster name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    dependents: z
      .array(z.string())
      .describe(
        'Objects Kubernetes removes with the cluster (they carry an owner reference to it), as "Kind name".',
      ),
    leftBehind: z
      .array(z.string())
      .describe(
        'Objects that name the cluster but are not owned by it (made outside cnpg-mcp or before owner references): they stay.',
      ),
  }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'name',
  confirmation: {
    question:
      'Delete cluster {name} (namespace {namespace|your default}) with its instances, volumes and what was made for it? Backups stay. This cannot be undone.',
  },
} satisfies ToolDefinition;
