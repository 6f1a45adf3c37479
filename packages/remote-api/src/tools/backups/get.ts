import { backupGet } from '@cnpg-mcp/catalog';
import { withoutManagedFields } from '../cluster/ops.js';
import { str } from '../common/objects.js';
import { defineTool } from '../context.js';
import type { KubeObject } from '../framework/kinds.js';
import { BACKUP_HINT, describeBackup, seenObject, summarizeBackup } from './model.js';

/** What backup_get shows of a Backup: its summary, WAL range and destination, and with `detailed` its raw status. */
export function describeBackupGet(object: KubeObject, detail: 'concise' | 'detailed') {
  const backup = summarizeBackup(object);
  const status = object.status ?? {};
  const structured = {
    backup,
    destinationPath: str(status.destinationPath),
    beginWal: str(status.beginWal),
    endWal: str(status.endWal),
    ...(detail === 'detailed' ? { status: withoutManagedFields(object).status ?? {} } : {}),
  };
  const text = [
    `Backup ${describeBackup(backup)}`,
    backup.beginLSN || backup.endLSN ? `  LSN ${backup.beginLSN || '?'} → ${backup.endLSN || '?'}` : '',
    structured.destinationPath ? `  destination ${structured.destinationPath}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { structured, text };
}

export const backupGetTool = defineTool({
  definition: backupGet,
  references: {
    backup: {
      kind: 'Backup',
      intent: 'read',
      role: 'the backup',
      name: (args) => args.name,
      hint: BACKUP_HINT,
    },
  },
  async run(args, ctx) {
    return describeBackupGet(seenObject(ctx.seen, 'backup'), args.detail);
  },
});
