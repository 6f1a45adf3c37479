import { backupWait } from '@cnpg-mcp/catalog';
import { defineTool } from '../context.js';
import { waitForBackup } from './follow-backup.js';
import { BACKUP_HINT } from './model.js';

export const backupWaitTool = defineTool({
  definition: backupWait,
  references: {
    backup: {
      kind: 'Backup',
      intent: 'read',
      role: 'the backup to wait for',
      name: (args) => args.name,
      hint: BACKUP_HINT,
    },
  },
  async run(args, ctx) {
    const { summary, result } = await waitForBackup(ctx, args.name, args.timeout_seconds);
    return {
      structured: { backup: summary, outcome: result },
      text: `backup ${args.name}: ${result}${summary.error ? ` (${summary.error})` : ''}; phase ${summary.phase || 'pending'}`,
    };
  },
});
