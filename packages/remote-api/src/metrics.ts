/** A small Prometheus registry: counters and histograms with labels, rendered in the text format 0.0.4. */

type Labels = Record<string, string>;

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};
/** One series per label set, whatever the order its labels were given in (called on every update). */
const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0001${labels[name]}`)
    .join('\u0000');

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const entry = this.values.get(k) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(k, entry);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values())
      lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    const entry = this.series.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((bound, i) => {
      if (value <= bound) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
    this.series.set(k, entry);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i] ?? 0}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export function createMetrics() {
  const httpRequests = new Counter(
    'cnpg_mcp_http_requests_total',
    'HTTP requests by route, method and status.',
  );
  const httpDuration = new Histogram(
    'cnpg_mcp_http_request_duration_seconds',
    'HTTP request latency by route.',
    latencyBuckets,
  );
  const toolCalls = new Counter('cnpg_mcp_tool_calls_total', 'Tool calls by tool and outcome.');
  const toolDuration = new Histogram(
    'cnpg_mcp_tool_call_duration_seconds',
    'Tool call latency by tool.',
    latencyBuckets,
  );
  const authFailures = new Counter('cnpg_mcp_auth_failures_total', 'Rejected requests by reason.');
  const tokenCache = new Counter(
    'cnpg_mcp_token_cache_lookups_total',
    'Bearer tokens looked up in the verified-token cache, by result (hit, miss).',
  );
  const cacheReads = new Counter(
    'cnpg_mcp_kube_reads_total',
    'Kubernetes reads by the tools, by resource and where they were served from (cache, api).',
  );
  const all = [httpRequests, httpDuration, toolCalls, toolDuration, authFailures, tokenCache, cacheReads];
  return {
    httpRequests,
    httpDuration,
    toolCalls,
    toolDuration,
    authFailures,
    tokenCache,
    cacheReads,
    render: () => `${all.map((metric) => metric.render()).join('\n')}\n`,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
