/**
 * Token bucket on isolations: at most `perMinute` per minute (bursts up to that many), so a runaway
 * policy cannot cut off a whole region in one go. Over the cap the caller refuses and reports.
 */
export class IsolationRateCap {
  private tokens: number;
  private lastMs: number;

  constructor(readonly perMinute: number, private readonly now: () => number = Date.now) {
    if (!(perMinute >= 0)) throw new RangeError(`isolations per minute must be >= 0, got ${perMinute}`);
    this.tokens = perMinute;
    this.lastMs = now();
  }

  /** Takes a token if one is left; false means over the cap. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Gives back a token taken for an action that then failed (it did not isolate anything). */
  giveBack(): void {
    this.tokens = Math.min(this.perMinute, this.tokens + 1);
  }

  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.perMinute, this.tokens + ((t - this.lastMs) * this.perMinute) / 60_000);
    this.lastMs = t;
  }
}
