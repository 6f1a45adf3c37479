/** Fault injection for tests: latency, error statuses, 429 with Retry-After and dropped connections. */
export interface FaultRule {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Substring of, or pattern for, the request path (without query). Any when absent. */
  path?: string | RegExp;
  /** Delay before answering (or before the other effects). */
  latencyMs?: number;
  /** Answer with this status and a metav1.Status body (429, 500, 502, 503, 504). */
  status?: number;
  /** Retry-After seconds for 429/503 (default 1). */
  retryAfterSeconds?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** How many matching requests to affect; unlimited when absent. */
  times?: number;
}

export interface ActiveFault extends FaultRule {
  id: string;
  hits: number;
}

export class FaultInjector {
  private readonly rules: ActiveFault[] = [];
  private nextId = 1;

  add(rule: FaultRule): string {
    const id = `fault-${this.nextId++}`;
    this.rules.push({ ...rule, id, hits: 0 });
    return id;
  }

  remove(id: string): void {
    const index = this.rules.findIndex((r) => r.id === id);
    if (index >= 0) this.rules.splice(index, 1);
  }

  clear(): void {
    this.rules.length = 0;
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The first rule matching this request, counting the hit; exhausted rules are dropped. */
  take(method: string, path: string): ActiveFault | undefined {
    const rule = this.rules.find(
      (r) =>
        (!r.method || r.method.toUpperCase() === method.toUpperCase()) &&
        (!r.path || (typeof r.path === 'string' ? path.includes(r.path) : r.path.test(path))),
    );
    if (!rule) return undefined;
    rule.hits += 1;
    if (rule.times !== undefined && rule.hits >= rule.times) this.remove(rule.id);
    return { ...rule };
  }
}
