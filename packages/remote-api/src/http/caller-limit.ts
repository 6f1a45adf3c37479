/**
 * A cap on one caller's requests in progress at once (a long wait counts until it answers), so one
 * person or runaway client cannot hold every connection of a replica.
 */
export class PerCallerLimit {
  private readonly active = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for the caller; returns its release, or undefined when the caller is at the cap. */
  tryEnter(caller: string): (() => void) | undefined {
    const current = this.active.get(caller) ?? 0;
    if (current >= this.max) return undefined;
    this.active.set(caller, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.active.get(caller) ?? 1) - 1;
      if (left === 0) this.active.delete(caller);
      else this.active.set(caller, left);
    };
  }
}
