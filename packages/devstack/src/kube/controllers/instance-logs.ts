/** CNPG instance-manager log lines: one JSON object per line, postgres records nested under `record`. */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import type { PodLogs } from './pod-logs.js';

function pgLogTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 23)} UTC`;
}

export class InstanceLogWriter {
  private processId = 20;

  constructor(
    private readonly logs: PodLogs,
    private readonly clock: Clock,
  ) {}

  manager(namespace: string, pod: string, msg: string, extra: Record<string, unknown> = {}): void {
    const now = this.clock.now();
    const line = {
      level: 'info',
      ts: now.toISOString(),
      logger: 'instance-manager',
      msg,
      logging_pod: pod,
      ...extra,
    };
    this.logs.append(namespace, pod, 'postgres', { time: now, text: JSON.stringify(line) });
  }

  postgres(
    namespace: string,
    pod: string,
    message: string,
    opts: { severity?: string; backendType?: string; sqlState?: string } = {},
  ): void {
    const now = this.clock.now();
    this.processId += 1;
    const line = {
      level: opts.severity === 'ERROR' || opts.severity === 'FATAL' ? 'error' : 'info',
      ts: now.toISOString(),
      logger: 'postgres',
      msg: 'record',
      logging_pod: pod,
      record: {
        log_time: pgLogTime(now),
        user_name: '',
        database_name: '',
        process_id: String(this.processId),
        connection_from: '',
        session_id: randomBytes(6)
          .toString('hex')
          .replace(/^(.{8})/, '$1.'),
        session_line_num: '1',
        command_tag: '',
        session_start_time: pgLogTime(now),
        virtual_transaction_id: '',
        transaction_id: '0',
        error_severity: opts.severity ?? 'LOG',
        sql_state_code: opts.sqlState ?? '00000',
        message,
        detail: '',
        hint: '',
        internal_query: '',
        internal_query_pos: '',
        context: '',
        query: '',
        query_pos: '',
        location: '',
        application_name: '',
        backend_type: opts.backendType ?? 'postmaster',
      },
    };
    this.logs.append(namespace, pod, 'postgres', { time: now, text: JSON.stringify(line) });
  }

  /** The lines a freshly started instance writes. */
  startup(namespace: string, pod: string, role: 'primary' | 'replica', initdb: boolean): void {
    this.manager(namespace, pod, 'Starting CloudNativePG Instance Manager', {
      version: '1.30.0',
      build: { Version: '1.30.0', Commit: '4b5e244a', Date: '2026-06-29' },
    });
    if (initdb) {
      this.logs.append(namespace, pod, 'bootstrap-controller', {
        time: this.clock.now(),
        text: JSON.stringify({
          level: 'info',
          ts: this.clock.now().toISOString(),
          msg: 'Installing the manager executable',
          logging_pod: pod,
        }),
      });
    }
    this.postgres(namespace, pod, 'starting PostgreSQL 18.4 on x86_64-pc-linux-gnu');
    this.postgres(namespace, pod, 'listening on IPv4 address "0.0.0.0", port 5432');
    if (role === 'replica') {
      this.postgres(namespace, pod, 'entering standby mode', { backendType: 'startup' });
      this.postgres(namespace, pod, 'started streaming WAL from primary at 0/3000000 on timeline 1', {
        backendType: 'walreceiver',
      });
    }
    this.postgres(
      namespace,
      pod,
      role === 'primary'
        ? 'database system is ready to accept connections'
        : 'database system is ready to accept read-only connections',
    );
  }
}
