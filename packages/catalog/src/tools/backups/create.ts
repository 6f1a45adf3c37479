import { z } from 'zod';
import { dryRunField, namespaceField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { action, clusterRefField, objectNameField } from '../shared.js';
import {
  backupMethodField,
  backupSummary,
  backupTargetField,
  onlineFields,
  pluginNameField,
  pluginParametersField,
  waitTimeoutField,
} from './shared.js';

export const backupCreate = {
  name: 'backup_create',
  group: 'backups',
  title: 'Back up a cluster now',
  description: 'Backs up a cluster now (plugin, volume snapshot or object store; detected when omitted).',
  details:
    'Takes an on-demand backup of a cluster with the Barman Cloud plugin (or another plugin), a volume snapshot, or the in-tree object store; the method is detected from the cluster when omitted. With `wait`, reports progress until it completes or fails (cancellable).',
  inputSchema: z.strictObject({
    namespace: namespaceField.optional(),
    cluster: clusterRefField,
    name: objectNameField.optional().describe('Default <cluster>-<YYYYMMDDhhmmss>.'),
    method: backupMethodField.optional(),
    plugin_name: pluginNameField.optional(),
    plugin_parameters: pluginParametersField.optional(),
    target: backupTargetField.optional(),
    ...onlineFields,
    wait: z.boolean().default(false),
    wait_timeout_seconds: waitTimeoutField,
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({ backup: backupSummary, waited: z.boolean() }),
  annotations: action,
  requiredScope: 'write',
} satisfies ToolDefinition;
