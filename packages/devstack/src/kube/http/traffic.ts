/** What clients asked of the emulator: requests (watches among them) and the TCP connections they came on. */
export interface Traffic {
  requests: number;
  /** Watch requests (counted in `requests` too). */
  watches: number;
  connections: number;
}

export class TrafficCounter {
  private counts: Traffic = { requests: 0, watches: 0, connections: 0 };

  request(watch: boolean): void {
    this.counts.requests += 1;
    if (watch) this.counts.watches += 1;
  }

  connection(): void {
    this.counts.connections += 1;
  }

  snapshot(): Traffic {
    return { ...this.counts };
  }

  reset(): void {
    this.counts = { requests: 0, watches: 0, connections: 0 };
  }
}
