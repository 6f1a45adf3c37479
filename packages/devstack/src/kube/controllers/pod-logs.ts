/** Container log lines per pod, written by the emulated instance manager and served by /log. */
export interface LogLine {
  time: Date;
  text: string;
}

type Listener = (line: LogLine) => void;

export class PodLogs {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly listeners = new Map<string, Set<Listener>>();

  private static key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  append(namespace: string, pod: string, container: string, line: LogLine): void {
    const key = PodLogs.key(namespace, pod, container);
    const list = this.lines.get(key) ?? [];
    list.push(line);
    if (list.length > 5000) list.splice(0, list.length - 5000);
    this.lines.set(key, list);
    for (const l of this.listeners.get(key) ?? []) l(line);
  }

  read(namespace: string, pod: string, container: string): LogLine[] {
    return [...(this.lines.get(PodLogs.key(namespace, pod, container)) ?? [])];
  }

  /** Forgets a pod's logs (the pod is gone, or restarted: logs start over). */
  clear(namespace: string, pod: string): void {
    for (const key of [...this.lines.keys()])
      if (key.startsWith(`${namespace}/${pod}/`)) this.lines.delete(key);
  }

  follow(namespace: string, pod: string, container: string, listener: Listener): () => void {
    const key = PodLogs.key(namespace, pod, container);
    const set = this.listeners.get(key) ?? new Set();
    set.add(listener);
    this.listeners.set(key, set);
    return () => set.delete(listener);
  }
}
