/** The Prometheus text a CNPG instance manager exposes on :9187/metrics, derived from the cluster status. */
import { asRecord, type KubeObject } from '../../types.js';

function line(name: string, labels: Record<string, string>, value: number): string {
  const rendered = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}${rendered ? `{${rendered}}` : ''} ${value}`;
}

export function instanceMetrics(pod: KubeObject, cluster: KubeObject | undefined): string {
  const status = asRecord(cluster?.status);
  const podName = pod.metadata.name ?? '';
  const isPrimary = status.currentPrimary === podName;
  const ready = (asRecord(pod.status).conditions as { type: string; status: string }[] | undefined)?.some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
  const database = String(asRecord(asRecord(asRecord(cluster?.spec).bootstrap).initdb).database ?? 'app');
  const started = Date.parse(String(asRecord(pod.status).startTime ?? new Date().toISOString())) / 1000;
  const sizes: Record<string, number> = { postgres: 7_680_483, template1: 7_680_483, [database]: 7_843_859 };
  const out = [
    '# HELP cnpg_collector_up 1 if PostgreSQL is up, 0 otherwise.',
    '# TYPE cnpg_collector_up gauge',
    line('cnpg_collector_up', { cluster: cluster?.metadata.name ?? '' }, ready ? 1 : 0),
    '# HELP cnpg_collector_postgres_version Postgres version',
    '# TYPE cnpg_collector_postgres_version gauge',
    line('cnpg_collector_postgres_version', { cluster: cluster?.metadata.name ?? '', full: '18.4' }, 18.4),
    '# HELP cnpg_pg_postmaster_start_time_seconds Time at which postgres started (based on epoch)',
    '# TYPE cnpg_pg_postmaster_start_time_seconds gauge',
    line('cnpg_pg_postmaster_start_time_seconds', {}, started),
    '# HELP cnpg_pg_replication_in_recovery Whether the instance is in recovery',
    '# TYPE cnpg_pg_replication_in_recovery gauge',
    line('cnpg_pg_replication_in_recovery', {}, isPrimary ? 0 : 1),
    '# HELP cnpg_pg_replication_lag Replication lag behind primary in seconds',
    '# TYPE cnpg_pg_replication_lag gauge',
    line('cnpg_pg_replication_lag', {}, 0),
    '# HELP cnpg_pg_replication_streaming_replicas Number of streaming replicas connected to the instance',
    '# TYPE cnpg_pg_replication_streaming_replicas gauge',
    line(
      'cnpg_pg_replication_streaming_replicas',
      {},
      isPrimary ? Math.max(0, Number(status.readyInstances ?? 1) - 1) : 0,
    ),
    '# HELP cnpg_pg_database_size_bytes Disk space used by the database',
    '# TYPE cnpg_pg_database_size_bytes gauge',
    ...Object.entries(sizes).map(([datname, size]) => line('cnpg_pg_database_size_bytes', { datname }, size)),
    '# HELP cnpg_backends_total Number of backends',
    '# TYPE cnpg_backends_total gauge',
    line(
      'cnpg_backends_total',
      { datname: database, state: 'idle', usename: database, application_name: '' },
      1,
    ),
    '# HELP cnpg_pg_stat_archiver_archived_count Number of WAL files that have been successfully archived',
    '# TYPE cnpg_pg_stat_archiver_archived_count counter',
    line('cnpg_pg_stat_archiver_archived_count', {}, 0),
  ];
  return `${out.join('\n')}\n`;
}
