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
    'Deletes one replica’s pod and volumes (keep_pvc keeps them); the operator recreates it. Not the primary.',
  details:
    'Deletes one instance: its pod and its volumes (unless keep_pvc). The operator recreates a fresh instance to keep the instance count. Refused for the current primary: switch over first.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    instance: instanceNameField,
    keep_pvc: z.boolean().default(false),
    confirm: confirmField('instance name'),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ deleted: z.array(z.string()) }),
  annotations: destructive,
  requiredScope: 'write',
  confirmField: 'instance',
  confirmation: {
    question:
      'Destroy instance {instance} of cluster {name} (namespace {namespace|default})? Its pod is deleted, and its volumes unless keep_pvc.',
  },
} satisfies ToolDefinition;
