import type { LineSink } from './log.js';

export type AuditOutcome = 'success' | 'error' | 'denied' | 'invalid_input' | 'cancelled';

/** One audit line per tool call. Never carries tool arguments beyond namespace and name. */
export interface AuditRecord {
  time: string;
  type: 'audit';
  userId: string;
  sub: string;
  issuer: string;
  tool: string;
  namespace: string;
  name: string;
  dryRun: boolean;
  /** Every object the call declared and read before writing: `use Backup team-a/nightly`. */
  references: string[];
  /** The writes the call made: `create Cluster team-a/copy`. */
  writes: string[];
  outcome: AuditOutcome;
  /** Short reason for non-success outcomes (the rule that denied, the error kind). */
  reason: string;
  durationMs: number;
}

export interface AuditLog {
  record(entry: Omit<AuditRecord, 'time' | 'type'>): void;
}

export function createAuditLog(sink: LineSink): AuditLog {
  return {
    record(entry) {
      const line: AuditRecord = { time: new Date().toISOString(), type: 'audit', ...entry };
      sink.write(`${JSON.stringify(line)}\n`);
    },
  };
}
