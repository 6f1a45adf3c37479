import { z } from 'zod';
import { confirmField, dryRunField, instanceNameField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructive } from '../shared.js';

export const clusterInstanceDestroy = {
  name: 'cluster_instance_destroy',
  group: 'cluster',
  title: 'Destroy one instance',
  description:
    'Deletes one replica’s pod, jobs and volumes (keep_pvc detaches them); the operator recreates it. Not the primary.',
  details:
    'Deletes one instance as `kubectl cnpg destroy` does: its pod, its jobs and its volumes — with keep_pvc the volumes are kept but detached from the cluster. The operator builds a fresh instance on new volumes to keep the instance count. Refused for the current primary: switch over first.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instance: instanceNameField,
    keep_pvc: z.boolean().default(false),
    confirm: confirmField('instance name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    deleted: z.array(z.string()),
    detached: z.array(z.string()).describe('Volumes kept (keep_pvc), no longer owned by the cluster.'),
  }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'instance',
  confirmation: {
    question:
      'Destroy instance {instance} of cluster {name} (namespace {namespace|your default})? Its pod is deleted, and its volumes unless keep_pvc.',
  },
} satisfies ToolDefinition;
