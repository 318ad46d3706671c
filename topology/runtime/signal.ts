/** A reusable wake-up: `wait()` resolves at the next `notify()` (or at once if one came while nobody waited). */
export class Signal {
  private promise: Promise<void> | undefined;
  private resolve: (() => void) | undefined;
  private pending = false;

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    if (this.promise === undefined) this.promise = new Promise<void>((r) => (this.resolve = r));
    return this.promise;
  }

  notify(): void {
    const r = this.resolve;
    if (r === undefined) {
      this.pending = true;
      return;
    }
    this.promise = undefined;
    this.resolve = undefined;
    r();
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
